#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""firewalld_ipset at 20,000 entries, beside firewalld's own floor and a per-entry baseline, in the same run.

A real firewalld (Debian's) runs in a network namespace of its own, on a private D-Bus (tests/support/
firewalld_lab.py); the host's firewall and /etc/firewalld are not touched. The measuring part runs under the
system Python (/usr/bin/python3, which has python3-firewall), through the module's own code path:
FirewalldIpset + _address_set.sync(), real D-Bus calls, without Ansible's fixed start-up.

Scenarios: a new ipset from empty (create + reload), a changed list (every entry different, then 1% different:
one setEntries on the permanent and one on the runtime configuration), nothing to change. Beside them:

* firewalld's floor: the same bulk D-Bus calls made directly (no planning, no checks), from the same state;
* the kernel's floor: `ipset restore` of the same entries into a plain kernel ipset (what firewalld cannot beat);
* the per-entry baseline: `addEntry` over D-Bus once per address, permanent and runtime, at a small size,
  extrapolated (what a loop of `firewall-cmd --ipset=... --add-entry` does, minus its 0.4 s per process).

    python bench/bench_firewalld.py [--size 20000] [--per-entry 200]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'build', 'collections')]

SYSTEM_PYTHON = '/usr/bin/python3'
TARGET = 5.0  # seconds for 20,000 entries


def addresses(count, offset=0):
    """`count` IPv4 host addresses in 10.0.0.0/8, one every other address so that nothing merges."""
    values = (0x0a000000 + 2 * i + offset for i in range(count))
    return ['%d.%d.%d.%d' % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255) for v in values]


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def worker(args):
    """Under the system Python, inside the namespace, with DBUS_SYSTEM_BUS_ADDRESS set: print JSON figures."""
    from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
    from ansible_collections.allowlist.egress.plugins.module_utils.targets._firewalld_ipset import (
        FirewalldBus, FirewalldIpset,
    )
    lock_dir = tempfile.mkdtemp()
    bus = FirewalldBus()
    first, second = addresses(args.size), addresses(args.size, offset=1)
    # 1% of the entries replaced by others: the usual nightly change of a feed.
    step = len(first) // 100
    third = second[:-step] + addresses(step, offset=1 << 22) if step else second

    def module(name, entries, **extra):
        params = dict(state='replaced', addresses=entries, force=True, lock_file=os.path.join(lock_dir, name))
        params.update(extra)
        return _address_set.sync(FirewalldIpset(bus, name), params)

    figures = {}

    # firewalld's floor: the module's calls made directly, from the same states.
    def raw_new():
        bus.add_permanent_ipset('floor', 'hash:net', {'family': 'inet'}, first)
        bus.reload()
    figures['empty_floor'] = timed(raw_new)

    def raw_change(entries):
        bus.set_permanent_entries('floor', entries)
        bus.set_runtime_entries('floor', entries)
    figures['changed_floor'] = timed(lambda: raw_change(second))
    figures['changed1_floor'] = timed(lambda: raw_change(third))
    figures['same_floor'] = timed(lambda: (bus.permanent_ipset('floor'), bus.runtime_ipset('floor')))
    # Gone again, so that the module's reload has no more to load than the floor's had.
    bus.remove_permanent_ipset('floor')
    bus.reload()

    figures['empty'] = timed(lambda: module('bench', first))
    figures['changed'] = timed(lambda: module('bench', second))
    figures['changed1'] = timed(lambda: module('bench', third))
    figures['same'] = timed(lambda: module('bench', third))
    assert sorted(bus.runtime_ipset('bench')[2]) == sorted(third), 'the runtime ipset does not hold the list'

    # The kernel's floor: ipset restore of the same entries.
    batch = 'create kfloor hash:net family inet maxelem %d\n' % max(65536, args.size)
    batch += ''.join('add kfloor %s\n' % a for a in first)
    started = time.perf_counter()
    subprocess.run(['ipset', 'restore'], input=batch, text=True, check=True)
    figures['kernel_floor'] = time.perf_counter() - started
    subprocess.run(['ipset', 'destroy', 'kfloor'], check=True)

    # Per entry, at a small size: addEntry on the permanent and on the runtime ipset, one D-Bus call each.
    small = addresses(args.per_entry, offset=1 << 20)
    module('perentry', small[:1])
    config_ipset = bus._config_ipset('perentry')

    def per_entry():
        for entry in small[1:]:
            bus.call('add an entry', config_ipset.addEntry, entry)
            bus.call('add an entry', bus._ipset.addEntry, 'perentry', entry)
    figures['per_entry'] = timed(per_entry) / (len(small) - 1)
    figures['module_small'] = timed(lambda: module('perentry', addresses(args.per_entry, offset=(1 << 20) + 1)))
    json.dump(figures, sys.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--size', type=int, default=20000)
    parser.add_argument('--per-entry', type=int, default=200)
    parser.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if os.geteuid() != 0:
        raise SystemExit('bench_firewalld.py needs root: it makes a network namespace and runs firewalld in it')
    for tool in ('firewalld', 'dbus-daemon', 'ipset'):
        if not shutil.which(tool):
            raise SystemExit('bench_firewalld.py needs %s (make deps installs it)' % tool)
    from tests.support.firewalld_lab import FirewalldLab
    from tests.support.netns import Netns
    ns = Netns('bench-fwd').create()
    directory = tempfile.mkdtemp(prefix='bench-fwd-')
    lab = FirewalldLab(ns, directory)
    try:
        lab.start()
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=lab.address)
        proc = subprocess.run(ns.prefix + [SYSTEM_PYTHON, os.path.abspath(__file__), '--worker', '--size', str(args.size),
                                           '--per-entry', str(args.per_entry)],
                              env=env, stdout=subprocess.PIPE, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit('the measuring run failed; firewalld log:\n%s' % lab.read_log())
        f = json.loads(proc.stdout)
    finally:
        lab.stop()
        ns.destroy()
        shutil.rmtree(directory, ignore_errors=True)
    print('firewalld_ipset, %d entries (seconds; firewalld floor = the same bulk D-Bus calls made directly)'
          % args.size)
    for key, what in (('empty', 'new ipset from empty (create + reload)'),
                      ('changed', 'every entry changed (2 x setEntries)'),
                      ('changed1', '1% changed (2 x setEntries)'),
                      ('same', 'nothing to change')):
        print('  %-42s %7.3f   firewalld floor %7.3f  (%.2fx)'
              % (what, f[key], f[key + '_floor'], f[key] / f[key + '_floor'] if f[key + '_floor'] else 0))
    print('  kernel floor: ipset restore of the same %d entries       %7.3f' % (args.size, f['kernel_floor']))
    print('Per-entry baseline: addEntry over D-Bus, permanent + runtime, %.4f s per entry (measured at %d)'
          % (f['per_entry'], args.per_entry))
    print('  %d entries one by one: %.1f s (extrapolated), the module from empty: %.3f s (%.0fx)'
          % (args.size, f['per_entry'] * args.size, f['empty'], f['per_entry'] * args.size / f['empty']))
    print('  %d entries: one by one %.3f s, the module %.3f s (%.0fx)'
          % (args.per_entry, f['per_entry'] * args.per_entry, f['module_small'],
             f['per_entry'] * args.per_entry / f['module_small']))
    worst = max(f['empty'], f['changed'], f['changed1'])
    print('Target: %d entries in under %.0f s: %s (worst %.3f s)'
          % (args.size, TARGET, 'met' if worst < TARGET else 'NOT met', worst))


if __name__ == '__main__':
    main()
