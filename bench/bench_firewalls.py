#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nftables_set and ipset syncs at 1,000, 10,000 and 100,000 entries, against the kernel's own floor.

For each size and scenario (from empty, 1% changed, nothing changed) it times the
module's sync (its Python logic with real nft / ipset calls, without Ansible's
fixed start-up), then, from the same starting state, the raw tools doing the
identical work: `nft -j list set` + `nft -j -f -` of the very batch the module
sent (ipset: `ipset save` + `ipset restore`). At 1,000 entries it also times the
per-address baseline: one `nft add element` (or `ipset add`) process per address,
which is what a loop in a playbook does at best.

Runs as root in a network namespace of its own (made and removed here). Addresses
are in 2001:db8::/32 (documentation range): one /128 every other address, so
nothing merges and the kernel really holds that many elements.

    python bench/bench_firewalls.py [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'build', 'collections')]

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils.targets._commands import subprocess_runner  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils.targets._ipset import Ipset  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils.targets._nftables import NftablesSet  # noqa: E402
from tests.support.netns import rerun_in_new_netns  # noqa: E402


def addresses(count, offset=0):
    return ['2001:db8:%x::%x:%x' % (1 + (offset + i) // 32768, 1 + (offset + i) // 32768, (2 * (offset + i)) % 65536)
            for i in range(count)]


def run(argv, data=None):
    proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit('%s failed: %s' % (argv[:3], proc.stderr[:500]))
    return proc.stdout


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


class NftBench(object):
    name = 'nftables_set'

    def reset(self, entries):
        run(['nft', '-f', '-'], data='add table inet bench\ndelete table inet bench\n')
        if entries is not None:
            batch = [{'add': {'table': {'family': 'inet', 'name': 'bench'}}},
                     {'add': {'set': {'family': 'inet', 'table': 'bench', 'name': 's', 'type': 'ipv6_addr',
                                      'flags': ['interval']}}}]
            if entries:
                batch.append({'add': {'element': {'family': 'inet', 'table': 'bench', 'name': 's', 'elem': entries}}})
            run(['nft', '-j', '-f', '-'], data=json.dumps({'nftables': batch}))

    def module(self, wanted):
        self.backend = NftablesSet(subprocess_runner, 'inet', 'bench', 's')
        result = _address_set.sync(self.backend, dict(addresses=wanted, state='replaced', max_removals='100%'))
        json.dumps(result)  # the module returns it as JSON
        self.batch = self.backend._batch
        return result

    def floor(self):
        batch = self.batch
        # Reading a set that is not there yet fails fast, as the module's read does.
        subprocess.run(['nft', '-j', '-f', '-'], capture_output=True, text=True, check=False, input=json.dumps(
            {'nftables': [{'list': {'set': {'family': 'inet', 'table': 'bench', 'name': 's'}}}]}))
        if batch:
            run(['nft', '-j', '-f', '-'], data=json.dumps({'nftables': batch}))

    def per_address(self, wanted):
        for address in wanted:
            run(['nft', 'add', 'element', 'inet', 'bench', 's', '{ %s }' % address])


class IpsetBench(object):
    name = 'ipset'

    def reset(self, entries):
        subprocess.run(['ipset', 'destroy', 'bench'], stderr=subprocess.DEVNULL, check=False)
        if entries is not None:
            run(['ipset', 'restore'], data='create bench hash:net family inet6 maxelem 200000\n'
                + ''.join('add bench %s\n' % e for e in entries))

    def module(self, wanted):
        self.backend = Ipset(subprocess_runner, 'bench')
        result = _address_set.sync(self.backend, dict(addresses=wanted, state='replaced', max_removals='100%'))
        json.dumps(result)
        self.batch, self.tmp = self.backend._batch, self.backend.tmp
        return result

    def floor(self):
        batch = self.batch
        subprocess.run(['ipset', 'save', 'bench'], capture_output=True, text=True, check=False)
        if batch:
            subprocess.run(['ipset', 'destroy', self.tmp], stderr=subprocess.DEVNULL, check=False)
            run(['ipset', '-exist', 'restore'], data='\n'.join(batch) + '\n')

    def per_address(self, wanted):
        for address in wanted:
            run(['ipset', 'add', 'bench', address])


def scenarios(size):
    base = addresses(size)
    changed = size // 100
    return [
        ('from empty', None, base),
        ('1% changed', base, base[changed:] + addresses(changed, offset=size)),
        ('no change', base, base),
    ]


def measure(bench, size, repeat):
    rows = []
    for label, before, wanted in scenarios(size):
        module_times, floor_times = [], []
        for _run in range(repeat):
            bench.reset(before)
            module_times.append(timed(lambda: bench.module(wanted)))
            bench.reset(before)
            # Same starting state, the identical batch, sent by the raw tool.
            floor_times.append(timed(bench.floor))
        rows.append((label, statistics.median(module_times), statistics.median(floor_times)))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', default='1000,10000,100000')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--in-netns', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.in_netns:
        rerun_in_new_netns('ae-bench', 'bench_firewalls.py')

    sizes = [int(s) for s in args.sizes.split(',')]
    print('Firewall sync benchmark: replaced sync of N entries (2001:db8::/32 /128s), median of %d runs, seconds'
          % args.repeat)
    print('module = the module\'s sync logic with real tool calls (no Ansible start-up); '
          'floor = raw list + raw apply of the identical batch')
    for bench in (NftBench(), IpsetBench()):
        print('\n%s' % bench.name)
        print('%9s  %-11s %9s %9s %7s' % ('entries', 'scenario', 'module', 'floor', 'ratio'))
        for size in sizes:
            for label, module, floor in measure(bench, size, args.repeat if size < 100000 else max(1, args.repeat - 1)):
                print('%9d  %-11s %9.3f %9.3f %6.2fx' % (size, label, module, floor, module / floor))
        if 1000 in sizes:
            wanted = addresses(1000)
            bench.reset([])
            per_address = timed(lambda: bench.per_address(wanted))
            bench.reset(None)
            module = timed(lambda: bench.module(wanted))
            print('per-address baseline, 1000 entries: %.3f s (one process per address); module from empty %.3f s: '
                  '%.0fx faster' % (per_address, module, per_address / module))
        bench.reset(None)


if __name__ == '__main__':
    main()
