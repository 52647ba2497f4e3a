#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nftables_set and ipset through a real `ansible-playbook`, against Ansible's fixed cost and the kernel floor.

bench_firewalls.py times the modules' logic in-process; this one times what a user
waits for. Every figure comes from the same run, in a network namespace of its own:

- fixed: the same playbook (the same vars file of N addresses, loaded the same
  way) whose one task is `ansible.builtin.ping`: Ansible's start-up, the vars
  file and one module round trip, which every module task pays.
- floor: the raw tools doing the same work from the same state: `nft -f` of the
  very batch the module renders + `nft -j list set` (ipset: `ipset restore` of
  its batch + `ipset list`).
- module: the playbook with the module task instead; "above fixed" is its time
  minus the fixed cost, and the ratio compares that with the floor.
- for reference, the same playbook whose task hands the N addresses to a module
  that only counts them and has no action plugin of its own: what ansible-core
  2.19 spends on an argument of N entries on its default path (templating it
  element by element, pickling the tagged strings back to the main process).
  The collection's address-set modules skip that path when the argument is one
  variable of plain strings (plugins/plugin_utils/_address_set_action.py).

Addresses are /128s in 2001:db8::/32 (documentation range), one every other
address, so nothing merges and the kernel holds N elements.

With --baseline DIR (a checkout of another version, e.g. `git worktree add DIR main`), the module
playbooks also run with the collection in DIR, in the same rounds: a before/after in one run.

    python bench/bench_playbook.py [--size 100000] [--repeat 3] [--baseline DIR] [--netns-prefix ae-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
sys.path[:0] = [ROOT, COLLECTIONS]

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils.targets._commands import subprocess_runner  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils.targets._ipset import Ipset  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils.targets._nftables import NftablesSet  # noqa: E402
from tests.support.netns import rerun_in_new_netns  # noqa: E402

BIN = os.path.dirname(sys.executable)


def addresses(count):
    return ['2001:db8:%x::%x:%x' % (1 + i // 32768, 1 + i // 32768, (2 * i) % 65536) for i in range(count)]


def run(argv, data=None, check=True):
    proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit('%s failed: %s%s' % (' '.join(argv[:4]), proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def reset():
    run(['nft', '-f', '-'], data='add table inet bench\ndelete table inet bench\n')
    run(['ipset', 'destroy', 'bench'], check=False)


class Playbooks(object):
    """Writes the vars file once and one playbook per task; runs them with ansible-playbook in this namespace."""

    def __init__(self, directory, wanted, verbosity=0):
        self.directory = directory
        self.verbosity = verbosity
        with open(os.path.join(directory, 'addresses.json'), 'w') as f:
            json.dump({'bench_addresses': wanted}, f)
        os.mkdir(os.path.join(directory, 'library'))
        with open(os.path.join(directory, 'library', 'bench_args.py'), 'w') as f:
            f.write(ARGS_MODULE)
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_HOME=os.path.join(directory, 'home'),
                        ANSIBLE_LOCAL_TEMP=os.path.join(directory, 'tmp'), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_RETRY_FILES_ENABLED='0',
                        ANSIBLE_DEPRECATION_WARNINGS='0')

    def write(self, name, task):
        path = os.path.join(self.directory, name + '.yml')
        play = [{'hosts': 'localhost', 'gather_facts': False, 'vars_files': ['addresses.json'], 'tasks': [task]}]
        with open(path, 'w') as f:
            json.dump(play, f)  # JSON is YAML
        return path

    def run(self, path, collections=None):
        argv = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', path]
        if self.verbosity:
            argv.append('-' + 'v' * self.verbosity)
        env = dict(self.env, ANSIBLE_COLLECTIONS_PATH=collections) if collections else self.env
        proc = subprocess.run(argv, env=env, cwd=self.directory, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit('ansible-playbook %s failed:\n%s\n%s' % (path, proc.stdout[-3000:], proc.stderr[-3000:]))
        return proc.stdout


# A module that only counts its argument, written next to the playbooks (Ansible finds ./library).
ARGS_MODULE = '''#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(addresses=dict(type='list', elements='raw')))
    module.exit_json(changed=False, count=len(module.params['addresses']), invocation={})


main()
'''


LIST = '{{ bench_addresses }}'


def nft_task(addresses=LIST):
    return {'name': 'sync', 'allowlist.egress.nftables_set': {
        'table': 'bench', 'set': 's', 'addresses': addresses, 'max_removals': '100%'}}


def ipset_task(addresses=LIST):
    return {'name': 'sync', 'allowlist.egress.ipset': {
        'name': 'bench', 'addresses': addresses, 'max_removals': '100%'}}


def rendered(backend, wanted):
    return _address_set.sync(backend, dict(addresses=wanted, state='rendered'))['rendered']


def nft_floor(batch):
    run(['nft', '-f', '-'], data=batch)
    run(['nft', '-j', 'list', 'set', 'inet', 'bench', 's'])


def nft_read():
    run(['nft', '-j', 'list', 'set', 'inet', 'bench', 's'])


def ipset_floor(batch):
    run(['ipset', 'restore'], data=batch)
    run(['ipset', 'list', 'bench'])


def medians(repeat, scenarios):
    """Median time of each (name, setup, timed) scenario, run in turn in each round.

    Round-robin rather than one scenario after another, so that a burst of load from elsewhere on a
    shared machine falls on every scenario alike instead of on one figure.
    """
    times = dict((name, []) for name, _setup, _fn in scenarios)
    for _round in range(repeat):
        for name, setup, fn in scenarios:
            setup()
            times[name].append(timed(fn))
    return dict((name, statistics.median(values)) for name, values in times.items())


def in_process(backend_factory, wanted):
    """The module's logic alone (as bench_firewalls.py), and the JSON size of its result."""
    result = _address_set.sync(backend_factory(), dict(addresses=wanted, state='replaced', max_removals='100%'))
    return len(json.dumps(result))


def baseline_collections(checkout):
    """A collections path whose allowlist.egress is the checkout `checkout` (a link made next to it)."""
    checkout = os.path.abspath(checkout)
    path = os.path.join(checkout, 'build', 'collections')
    link = os.path.join(path, 'ansible_collections', 'allowlist', 'egress')
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(checkout, link)
    return path


def measure(args, pb):
    wanted = addresses(args.size)
    nft_batch = rendered(NftablesSet(subprocess_runner, 'inet', 'bench', 's'), wanted)
    ipset_batch = rendered(Ipset(subprocess_runner, 'bench'), wanted)
    noop, ping = pb.write('noop', {'ansible.builtin.meta': 'noop'}), pb.write('ping', {'ansible.builtin.ping': {}})
    nft, ipset = pb.write('nft', nft_task()), pb.write('ipset', ipset_task())
    args_only = pb.write('args', {'bench_args': {'addresses': LIST}})

    def nft_filled():
        reset()
        nft_floor(nft_batch)

    baseline = []
    if args.baseline:
        other = baseline_collections(args.baseline)
        baseline = [('nft module baseline', reset, lambda: pb.run(nft, other)),
                    ('nft no change baseline', nft_filled, lambda: pb.run(nft, other)),
                    ('ipset module baseline', reset, lambda: pb.run(ipset, other))]
    rows = medians(args.repeat, baseline + [
        ('noop', reset, lambda: pb.run(noop)),
        ('fixed', reset, lambda: pb.run(ping)),
        ('args', reset, lambda: pb.run(args_only)),
        ('nft floor', reset, lambda: nft_floor(nft_batch)),
        ('nft module', reset, lambda: pb.run(nft)),
        ('nft read floor', nft_filled, nft_read),
        ('nft no change', nft_filled, lambda: pb.run(nft)),
        ('ipset floor', reset, lambda: ipset_floor(ipset_batch)),
        ('ipset module', reset, lambda: pb.run(ipset)),
    ])
    reset()
    rows['nft result bytes'] = in_process(lambda: NftablesSet(subprocess_runner, 'inet', 'bench', 's'), wanted)
    reset()
    rows['ipset result bytes'] = in_process(lambda: Ipset(subprocess_runner, 'bench'), wanted)
    reset()
    return rows


def report(args, rows):
    fixed = rows['fixed']
    print('Modules through ansible-playbook, %d entries (2001:db8::/32 /128s), median of %d rounds, seconds'
          % (args.size, args.repeat))
    print('fixed = the same playbook and vars file with one ansible.builtin.ping task; '
          'above fixed = module playbook - fixed\n')
    print('%-52s %8s %12s %8s %8s' % ('', 'total', 'above fixed', 'floor', 'ratio'))

    def line(label, total, floor=None, above=True):
        extra = total - fixed if above else None
        print('%-52s %8.2f %12s %8s %8s' % (
            label, total, '%.2f' % extra if extra is not None else '',
            '%.2f' % floor if floor else '', '%.2fx' % (extra / floor) if floor else ''))

    line('ansible-playbook, meta: noop', rows['noop'], above=False)
    line('ansible-playbook, ping (fixed cost)', fixed, above=False)
    line('a module that only counts the N addresses (Ansible\'s path)', rows['args'])
    line('nft floor: nft -f batch + nft -j list set', rows['nft floor'], above=False)
    line('nftables_set from empty', rows['nft module'], rows['nft floor'])
    line('nft floor, nothing to change: nft -j list set', rows['nft read floor'], above=False)
    line('nftables_set nothing to change', rows['nft no change'], rows['nft read floor'])
    line('ipset floor: ipset restore batch + ipset list', rows['ipset floor'], above=False)
    line('ipset from empty', rows['ipset module'], rows['ipset floor'])
    if 'nft module baseline' in rows:
        print('baseline (%s):' % args.baseline)
        line('  nftables_set from empty', rows['nft module baseline'], rows['nft floor'])
        line('  nftables_set nothing to change', rows['nft no change baseline'], rows['nft read floor'])
        line('  ipset from empty', rows['ipset module baseline'], rows['ipset floor'])
    print('\nAnsible\'s default path for a %d-element argument costs %.2f s above fixed (the counting module); '
          'the address-set modules\' action plugins skip it.' % (args.size, rows['args'] - fixed))
    nft, ipset = rows['nft module'], rows['ipset module']
    print('Targets: nftables_set from empty <= 1.50x its floor (now %.2fx); nothing to change < 2 s above fixed '
          '(now %.2f s); ipset from empty <= 2.00x its floor (now %.2fx).'
          % ((nft - fixed) / rows['nft floor'], rows['nft no change'] - fixed, (ipset - fixed) / rows['ipset floor']))
    print('Module result from empty, JSON (in-process, before Ansible adds invocation): nftables_set %d bytes, '
          'ipset %d bytes' % (rows['nft result bytes'], rows['ipset result bytes']))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', type=int, default=100000)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--verbosity', type=int, default=0, help='run ansible-playbook with this many -v')
    parser.add_argument('--baseline', help='a checkout of another version to time the module playbooks with too')
    parser.add_argument('--netns-prefix', default='ae-bench')
    parser.add_argument('--in-netns', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.in_netns:
        rerun_in_new_netns(args.netns_prefix, 'bench_playbook.py')
    directory = tempfile.mkdtemp(prefix='bench-playbook-')
    try:
        report(args, measure(args, Playbooks(directory, addresses(args.size), args.verbosity)))
    finally:
        reset()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == '__main__':
    main()
