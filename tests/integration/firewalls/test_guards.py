# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Nothing widens a firewall silently: the entry policy and the removal / growth guards, on the real kernel of a
fresh network namespace, through the modules and through the egress_sync role with a feed on a real HTTPS server."""

from __future__ import annotations

import json
import os

import yaml

from tests.conftest import ROOT
from tests.integration.cases import assert_refused_without_change, module_task
from tests.integration.firewalls.test_nftables_set import elements, space

NFT = 'allowlist.egress.nftables_set'
IPSET = 'allowlist.egress.ipset'
HUNDRED = ['198.51.100.%d' % i for i in range(100)]  # the kernel stores them as .0/26, .64/27 and .96/30


def test_the_whole_space_never_reaches_the_kernel(host, tmp_path):
    ns, ansible = host
    persist = str(tmp_path / 'allow.nft')
    results, proc = ansible.playbook([
        module_task(NFT, 'seed', table='filter', set='allow', addresses=['192.0.2.0/24'], persist=persist),
        module_task(NFT, 'seed v6', table='filter', set='allow6', type='ipv6_addr', addresses=['2001:db8::/48']),
        module_task(IPSET, 'seed ipset', name='allow', addresses=['192.0.2.0/24']),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(persist) as f:
        persisted = f.read()
    nft = dict(table='filter', set='allow', persist=persist)
    assert_refused_without_change(ns, ansible, NFT, [
        ('any', dict(nft, addresses=['192.0.2.0/24', '0.0.0.0/0']),
         ['Refusing 0.0.0.0/0 from addresses[1]', 'whole IPv4 address space', 'allow_anywhere=true']),
        ('two halves', dict(nft, addresses=['0.0.0.0/1', '128.0.0.0/1']), ['Refusing 0.0.0.0/1 from addresses[0]']),
        ('merged any', dict(nft, state='merged', addresses=['0.0.0.0/0']), ['Refusing 0.0.0.0/0']),
        ('any v6', dict(table='filter', set='allow6', type='ipv6_addr', addresses=['::/0']), ['Refusing ::/0']),
        ('mapped v6', dict(table='filter', set='allow6', type='ipv6_addr', addresses=['::ffff:192.0.2.1']),
         ['IPv4-mapped']),
        ('sinkhole', dict(nft, addresses=['192.0.2.0/24', '0.0.0.0']), ['Refusing 0.0.0.0 from addresses[1]']),
        ('wide', dict(nft, addresses=['4.0.0.0/6']), ['wider than /8 (min_prefixlen_v4)']),
        ('multicast', dict(nft, addresses=['224.0.0.0/24'], force=True), ['multicast']),
    ])
    assert_refused_without_change(ns, ansible, IPSET, [
        ('ipset any', dict(name='allow', addresses=['0.0.0.0/0'], force=True), ['Refusing 0.0.0.0/0']),
        ('ipset loopback', dict(name='allow', addresses=['127.0.0.0/8']), ['loopback']),
    ])
    with open(persist) as f:
        assert f.read() == persisted
    # A module's own addresses may hold a private range (a VPN's), and a wider prefix when it says so.
    results, proc = ansible.playbook([
        module_task(NFT, 'vpn range', table='filter', set='allow', addresses=['192.0.2.0/24', '10.20.0.0/16']),
        module_task(NFT, 'wide allowed', table='filter', set='wide', addresses=['4.0.0.0/6'], min_prefixlen_v4=6),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert elements(ns) == ['10.20.0.0/16', '192.0.2.0/24'] and elements(ns, 'filter', 'wide') == ['4.0.0.0/6']


def test_the_guards_count_addresses(host):
    ns, ansible = host
    nft = dict(table='filter', set='allow')
    results, proc = ansible.playbook([
        module_task(NFT, 'hundred', addresses=HUNDRED, **nft),
        module_task(IPSET, 'hundred ipset', name='allow', set_type='hash:net', addresses=HUNDRED),
        module_task(NFT, 'lose 64', addresses=HUNDRED[64:], ignore_errors=True, **nft),
        module_task(IPSET, 'lose 64 ipset', name='allow', set_type='hash:net', addresses=HUNDRED[64:],
                    ignore_errors=True),
        module_task(NFT, 'lose 50', addresses=HUNDRED[50:], check=True, **nft),
        module_task(NFT, 'grow by a /24', addresses=HUNDRED + ['203.0.113.0/24'], max_additions='100%',
                    ignore_errors=True, **nft),
        module_task(NFT, 'grow by a /24, merged', state='merged', addresses=['203.0.113.0/24'], max_additions='255',
                    ignore_errors=True, **nft),
        module_task(NFT, 'grow forced', addresses=HUNDRED + ['203.0.113.0/24'], max_additions='100%', force=True,
                    check=True, **nft),
        module_task(NFT, 'a first sync is never blocked', table='filter', set='new', max_additions='0',
                    addresses=HUNDRED),
        module_task(NFT, 'bad max_additions', addresses=HUNDRED, max_additions='\u00b2', ignore_errors=True, **nft),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert elements(ns)[:1] == ['198.51.100.0/26'] and len(elements(ns)) == 3
    for name in ('lose 64', 'lose 64 ipset'):
        assert 'Refusing to remove 64 of 100 IPv4 addresses' in results[name]['msg'], results[name]
    assert results['lose 50']['changed'] and len(space(ns)) == 100
    assert 'Refusing to add 256 IPv4 addresses to the 100 in' in results['grow by a /24']['msg']
    assert 'max_additions=100% allows (100)' in results['grow by a /24']['msg']
    assert 'max_additions=255 allows (255)' in results['grow by a /24, merged']['msg']
    assert results['grow forced']['added'] == ['203.0.113.0/24']
    assert len(space(ns, 'filter', 'new')) == 100
    assert "Invalid max_additions '\u00b2'" in results['bad max_additions']['msg']
    assert len(space(ns)) == 100 and len(ns.ipset_entries('allow')) == 3


SYNC = os.path.join(ROOT, 'playbooks', 'sync.yml')


def test_egress_sync_refuses_a_feed_that_opens_the_firewall_or_balloons(netns, tmp_path, ansible, https_server,
                                                                        ca_file):
    fw = netns('fw')
    wrapper = fw.python_wrapper(tmp_path / 'python-in-fw')
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': {
        'fw': {'ansible_connection': 'local', 'ansible_python_interpreter': str(wrapper)}}}}))
    feed = {'type': 'egress_ranges', 'source': 'custom', 'url': https_server.url('/egress.json'), 'ca_path': ca_file,
            'cache_ttl': 0, 'cache_dir': str(tmp_path / 'cache')}
    base = {'egress_sync_hosts': 'fw', 'ansible_become': False, 'egress_sync_sources': [feed],
            'egress_sync_targets': [{'backend': 'nftables_set', 'table': 'filter', 'set': 'egress_v4'}]}

    def run(addresses, **extra):
        https_server.serve('/egress.json', json.dumps(addresses))
        return ansible.run_playbook(SYNC, extra_vars=dict(base, **extra), inventory=str(inventory))[1]

    twenty = ['203.0.113.%d' % i for i in range(20)]
    proc = run(twenty)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kernel = fw.ruleset()
    for hostile, message in ((['0.0.0.0/0'], 'Refusing 0.0.0.0/0 from source custom'),
                             (twenty + ['0.0.0.0/1', '128.0.0.0/1'], 'Refusing 0.0.0.0/1 from source custom'),
                             (['::/0'], 'Refusing ::/0 from source custom'),
                             (twenty + ['10.0.0.0/8'], 'Refusing 10.0.0.0/8 from source custom')):
        proc = run(hostile, egress_sync_force=True)  # force relaxes the guards, never the entry policy
        assert proc.returncode != 0 and message in proc.stdout, proc.stdout
        assert fw.ruleset() == kernel, hostile

    # A feed that grows a hundredfold: refused by the default growth guard, applied when forced.
    two_thousand = ['198.51.%d.%d' % (100 + i // 250, i % 250) for i in range(2000)]
    proc = run(twenty + two_thousand)
    assert proc.returncode != 0 and 'Refusing to add 2000 IPv4 addresses to the 20 in' in proc.stdout, proc.stdout
    assert 'max_additions=100%' in proc.stdout and fw.ruleset() == kernel
    proc = run(twenty + two_thousand, egress_sync_force=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(space(fw, 'filter', 'egress_v4')) == 2020

    # A static source may carry the VPN's private range (the guard off, since a /16 is a big step).
    proc = run(twenty + two_thousand, egress_sync_max_additions='', egress_sync_sources=[
        feed, {'type': 'static', 'addresses': ['10.20.0.0/16'], 'comment': 'OutSystems VPN range'}])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '10.20.0.0/16 comment "OutSystems VPN range"' in elements(fw, 'filter', 'egress_v4')
