#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sync pipeline through ansible-playbook: the egress_sync role against the nftables_set module alone,
and a fleet of firewalls sharing one plan.

1. A 50,000-entry feed (a `custom` source on a real local HTTPS server) into one nftables target, from empty
   and with nothing to change. The role's own cost is its wall time minus the same playbook shape running a
   no-op task with the same variables; the module's own cost is a playbook calling nftables_set with the same
   feed through the egress_ranges lookup in its arguments, minus a no-op. Target: role <= module + 1.5 s, in
   both cases.
2. A fleet: 20 firewalls (network namespaces, forks 10) with an OutSystems source behind a local DNS server
   that counts queries. Each front-end name must be queried once per family for the whole run and every
   firewall must end with the identical set; the wall time is printed beside a 1-host run.

Runs as root; makes its namespaces and servers and removes them. Addresses: 11.0.0.0/8, every other one
(public, so the entry policy accepts them from a feed), and 192.0.2.0/24 for the front-ends.

    python bench/bench_sync.py [--entries 50000] [--hosts 20] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'build', 'collections')]

from tests.support.dns_server import DnsServer  # noqa: E402
from tests.support.https_server import HttpsServer  # noqa: E402
from tests.support.netns import Netns  # noqa: E402

BIN = os.path.dirname(sys.executable)
SYNC = os.path.join(ROOT, 'playbooks', 'sync.yml')


def feed(count):
    base = 11 << 24
    return ['%d.%d.%d.%d' % ((v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255)
            for v in (base + 2 * i for i in range(count))]


class Lab(object):
    """Namespaces that act as Ansible hosts, an inventory, and a scratch directory."""

    def __init__(self, hosts, work):
        self.work = work
        self.hosts = []
        for index in range(hosts):
            ns = Netns('ae-bsync').create()
            wrapper = ns.python_wrapper(os.path.join(work, 'python-%d' % index))
            self.hosts.append(('fw%02d' % index, ns, wrapper))
        self.inventory = os.path.join(work, 'inventory.json')
        with open(self.inventory, 'w') as f:
            json.dump({'all': {'hosts': dict((name, {'ansible_connection': 'local', 'ansible_python_interpreter': w})
                                             for name, _ns, w in self.hosts)}}, f)
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, 'build', 'collections'),
                        ANSIBLE_HOME=os.path.join(work, 'ansible-home'), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_PYTHON_INTERPRETER=sys.executable, XDG_CACHE_HOME=os.path.join(work, 'cache'),
                        ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_HOST_KEY_CHECKING='0')

    def playbook(self, playbook, extra_vars_file, forks=10, limit=None):
        argv = [os.path.join(BIN, 'ansible-playbook'), '-i', self.inventory, '-f', str(forks), playbook,
                '-e', '@' + extra_vars_file]
        if limit:
            argv += ['--limit', limit]
        started = time.perf_counter()
        proc = subprocess.run(argv, env=self.env, cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit('%s failed:\n%s' % (os.path.basename(playbook), proc.stdout[-3000:]))
        return elapsed, proc.stdout

    def flush(self):
        for _host, ns, _w in self.hosts:
            ns.run(['nft', 'delete', 'table', 'inet', 'filter'], check=False)

    def elements(self, ns, name='egress_v4'):
        found = ns.nft_set('inet', 'filter', name)
        return json.dumps(found.get('elem', []) if found else None, sort_keys=True)

    def destroy(self):
        for _host, ns, _w in self.hosts:
            ns.destroy()


def write(path, data):
    with open(path, 'w') as f:
        json.dump(data, f)
    return path


def playbook_file(work, name, tasks, hosts='all'):
    path = os.path.join(work, name)
    with open(path, 'w') as f:
        json.dump([{'hosts': hosts, 'gather_facts': False, 'tasks': tasks}], f)
    return path


def median(fn, repeat):
    return statistics.median(fn() for _run in range(repeat))


def role_against_module(lab, work, entries, repeat):
    server = HttpsServer().start()
    try:
        ca = server.write_ca(os.path.join(work, 'ca.pem'))
        addresses = feed(entries)
        server.serve('/egress.txt', '\n'.join(addresses) + '\n', content_type='text/plain')
        target = {'backend': 'nftables_set', 'table': 'filter', 'set': 'egress_v4'}
        role_vars = write(os.path.join(work, 'role-vars.json'), {
            'egress_sync_hosts': 'all', 'ansible_become': False, 'egress_sync_targets': [target],
            'egress_sync_sources': [{'type': 'egress_ranges', 'source': 'custom', 'url': server.url('/egress.txt'),
                                     'ca_path': ca, 'cache_ttl': 0, 'comment': 'feed'}]})
        # The module alone, the way a playbook gives it a published list: the lookup in its arguments.
        lookup = ("{{ query('allowlist.egress.egress_ranges', 'custom', url=%r, ca_path=%r, cache_ttl=0) }}"
                  % (server.url('/egress.txt'), ca))
        module_vars = write(os.path.join(work, 'module-vars.json'), {'feed_url': server.url('/egress.txt')})
        noop = playbook_file(work, 'noop.json', [{'name': 'no-op', 'ansible.builtin.meta': 'noop'}])
        module = playbook_file(work, 'module.json', [{'name': 'nftables_set alone', 'allowlist.egress.nftables_set': {
            'table': 'filter', 'set': 'egress_v4', 'entry_comment': 'feed', 'addresses': lookup}}])
        first = lab.hosts[0][0]

        def run(playbook, variables, reset):
            if reset:
                lab.flush()
            return lab.playbook(playbook, variables, limit=first)[0]

        fixed_role = median(lambda: run(noop, role_vars, False), repeat)
        fixed_module = median(lambda: run(noop, module_vars, False), repeat)
        role_empty = median(lambda: run(SYNC, role_vars, True), repeat)
        role_same = median(lambda: run(SYNC, role_vars, False), repeat)
        module_empty = median(lambda: run(module, module_vars, True), repeat)
        module_same = median(lambda: run(module, module_vars, False), repeat)
        ns = lab.hosts[0][1]
        held = len(json.loads(lab.elements(ns)))
    finally:
        server.stop()
    print('\n1. egress_sync with a %d-entry feed into one nftables set, against nftables_set alone (median of %d, s)'
          % (entries, repeat))
    print('   fixed cost: no-op with the role\'s variables %.2f, with the module\'s %.2f; the set holds %d elements'
          % (fixed_role, fixed_module, held))
    print('   %-14s %10s %10s %12s %12s %8s'
          % ('', 'role wall', 'role own', 'module wall', 'module own', 'role - module'))
    scenarios = (('from empty', role_empty, module_empty), ('nothing to do', role_same, module_same))
    for label, role, module_time in scenarios:
        own_role, own_module = role - fixed_role, module_time - fixed_module
        verdict = 'ok' if own_role <= own_module + 1.5 else 'OVER the +1.5 s bound'
        print('   %-14s %10.2f %10.2f %12.2f %12.2f %+7.2f  %s'
              % (label, role, own_role, module_time, own_module, own_role - own_module, verdict))


def fleet(lab, work, hosts, repeat):
    names = ['bench-fe%02d' % i for i in range(8)]
    records = dict(('%s.outsystemsenterprise.com' % n, {'A': ['192.0.2.%d' % (10 + i)], 'AAAA': ['2001:db8::%x' % (16 + i)]})
                   for i, n in enumerate(names))
    dns = DnsServer(records=records).start()
    try:
        variables = write(os.path.join(work, 'fleet-vars.json'), {
            'egress_sync_hosts': 'all', 'ansible_become': False,
            'egress_sync_sources': [
                {'type': 'outsystems_frontends', 'names': names, 'nameservers': ['127.0.0.1'], 'port': dns.port},
                {'type': 'static', 'addresses': ['198.51.100.0/24'], 'comment': 'partner'}],
            'egress_sync_targets': [{'backend': 'nftables_set', 'table': 'filter', 'set': 'egress_v4',
                                     'set6': 'egress_v6'}]})
        one, fleet_times, queries = [], [], []
        for _run in range(repeat):
            lab.flush()
            del dns.queries[:]
            one.append(lab.playbook(SYNC, variables, forks=10, limit=lab.hosts[0][0])[0])
            lab.flush()
            del dns.queries[:]
            fleet_times.append(lab.playbook(SYNC, variables, forks=10)[0])
            queries.append(list(dns.queries))
        sets = set(lab.elements(ns) for _h, ns, _w in lab.hosts)
        sets6 = set(lab.elements(ns, 'egress_v6') for _h, ns, _w in lab.hosts)
    finally:
        dns.stop()
    per_name = {}
    for name, rdtype, _proto in queries[-1]:
        per_name[(name, rdtype)] = per_name.get((name, rdtype), 0) + 1
    once = len(per_name) == 2 * len(names) and set(per_name.values()) == {1}
    print('\n2. A fleet of %d firewalls (forks 10), %d OutSystems front-ends behind a DNS server that counts queries'
          % (hosts, len(names)))
    print('   1 host: %.2f s; %d hosts: %.2f s (median of %d); %.2fx the 1-host time for %dx the hosts'
          % (statistics.median(one), hosts, statistics.median(fleet_times), repeat,
             statistics.median(fleet_times) / statistics.median(one), hosts))
    print('   DNS queries in the %d-host run: %d for %d names x 2 families: %s' % (
        hosts, len(queries[-1]), len(names), 'each name once per family' if once else 'NOT once per family: %r'
        % sorted(per_name.items())))
    print('   identical sets on every host: %s (IPv4 %d distinct, IPv6 %d distinct)'
          % ('yes' if len(sets) == 1 and len(sets6) == 1 and None not in sets else 'NO', len(sets), len(sets6)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--entries', type=int, default=50000)
    parser.add_argument('--hosts', type=int, default=20)
    parser.add_argument('--repeat', type=int, default=2)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit('bench_sync.py needs root: it makes network namespaces')
    work = tempfile.mkdtemp(prefix='ae-bench-sync-')
    lab = Lab(args.hosts, work)
    try:
        print('Sync pipeline benchmark (ansible-playbook, real nftables in network namespaces)')
        role_against_module(lab, work, args.entries, args.repeat)
        fleet(lab, work, args.hosts, args.repeat)
    finally:
        lab.destroy()
        subprocess.run(['rm', '-rf', work], check=False)


if __name__ == '__main__':
    main()
