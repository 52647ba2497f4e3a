# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real traffic: a client namespace connects to a server namespace whose firewall accepts TCP only from the set.

After a sync the allowed client connects and a removed address cannot; during a
replaced sync of 50,000 entries, a client whose address stays allowed never
fails to connect (the set is never empty or half-filled).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.integration.conftest import Ansible
from tests.support.netns import link

PROBE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'support', 'tcp_probe.py')
PORT = 8080


def big_v6_list(offset, count=50000):
    # Every other /128 so that nothing merges: the kernel really holds `count` elements.
    return ['2001:db8:%x::%x:%x' % (offset, i // 32768 + 1, (2 * i) % 65536) for i in range(count)] + ['2001:db8::10']


@pytest.fixture
def network(netns, tmp_path):
    server, client = netns('srv'), netns('cli')
    link(server, client, ['192.0.2.1/24', '2001:db8::1/64'],
         ['192.0.2.10/24', '192.0.2.11/24', '192.0.2.12/24', '2001:db8::10/64', '2001:db8::11/64'])
    proc = server.popen([sys.executable, PROBE, 'serve', '--port', str(PORT)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'ready'
    return server, client, Ansible(tmp_path, prefix=server.prefix)


def can_connect(client, source):
    dest = '2001:db8::1' if ':' in source else '192.0.2.1'
    proc = client.run([sys.executable, PROBE, 'connect', '--source', source, '--dest', dest, '--port', str(PORT)],
                      check=False)
    return proc.returncode == 0


def guard_nftables(server):
    server.run(['nft', '-f', '-'], data=(
        'add chain inet guard input { type filter hook input priority 0; policy accept; }\n'
        'add rule inet guard input tcp dport %d ip saddr @allow4 accept\n'
        'add rule inet guard input tcp dport %d ip6 saddr @allow6 accept\n'
        'add rule inet guard input tcp dport %d reject with tcp reset\n') % (PORT, PORT, PORT))


def guard_ipset(server):
    for tool, name in (('iptables', 'allow4'), ('ip6tables', 'allow6')):
        server.run([tool, '-A', 'INPUT', '-p', 'tcp', '--dport', str(PORT), '-m', 'set', '--match-set', name, 'src',
                    '-j', 'ACCEPT'])
        server.run([tool, '-A', 'INPUT', '-p', 'tcp', '--dport', str(PORT), '-j', 'REJECT', '--reject-with', 'tcp-reset'])


BACKENDS = {
    'nftables_set': (lambda name: {'table': 'guard', 'set': name}, guard_nftables),
    'ipset': (lambda name: {'name': name}, guard_ipset),
}


def sync(ansible, backend, name, addresses, **extra):
    args = dict(BACKENDS[backend][0](name), addresses=addresses, **extra)
    results, proc = ansible.playbook([{'name': 'sync', 'allowlist.egress.%s' % backend: args}])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results['sync']


@pytest.mark.parametrize('backend', sorted(BACKENDS))
def test_traffic_follows_the_set(network, backend, tmp_path):
    server, client, ansible = network
    sync(ansible, backend, 'allow4', ['192.0.2.10', '192.0.2.11'])
    sync(ansible, backend, 'allow6', ['2001:db8::10'])
    BACKENDS[backend][1](server)
    assert can_connect(client, '192.0.2.10') and can_connect(client, '192.0.2.11')
    assert not can_connect(client, '192.0.2.12')
    assert can_connect(client, '2001:db8::10') and not can_connect(client, '2001:db8::11')

    result = sync(ansible, backend, 'allow4', ['192.0.2.10', '192.0.2.12'], max_removals='1')
    assert result['removed'] == ['192.0.2.11/32'] and result['added'] == ['192.0.2.12/32']
    assert can_connect(client, '192.0.2.10') and can_connect(client, '192.0.2.12')
    assert not can_connect(client, '192.0.2.11')

    # 50,000 entries in, then a different 50,000 (all removed, all added), while a client that stays allowed
    # connects in a loop.
    stop, out = str(tmp_path / 'stop'), str(tmp_path / 'loop.json')
    loop = client.popen([sys.executable, PROBE, 'loop', '--source', '2001:db8::10', '--dest', '2001:db8::1',
                         '--port', str(PORT), '--stop-file', stop, '--out', out])
    first = sync(ansible, backend, 'allow6', big_v6_list(1))
    second = sync(ansible, backend, 'allow6', big_v6_list(2), force=True, return_commands=True)
    open(stop, 'w').close()
    loop.wait(timeout=60)
    with open(out) as f:
        report = json.load(f)
    assert first['after_count'] == 50001 and second['removed_count'] == 50000 and second['added_count'] == 50000
    # Without --diff, the result holds the first list_limit (100) entries of each list.
    assert len(second['removed']) == len(second['added']) == 100 and second['lists_truncated'] is True
    assert report['failures'] == [], report['failures'][:5]
    assert report['attempts'] >= 50, report
    assert not can_connect(client, '2001:db8::11')
    if backend == 'ipset':
        assert second['swapped'] is True
    else:
        assert second['commands'][0] == 'flush set inet guard allow6'
