# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The egress_sync role through playbooks/sync.yml: sources from a real DNS server and a real HTTPS mirror on
loopback, targets in the kernel of a fresh network namespace (nftables + ipset) and in moto (AWS)."""

from __future__ import annotations

import json
import os
import sys

import boto3
import yaml

from tests.conftest import ROOT
from tests.support.moto_server import ENV

SYNC = os.path.join(ROOT, 'playbooks', 'sync.yml')


def setup(netns, tmp_path, ansible, dns_server, https_server, ca_file, moto_server):
    fw = netns('fw')
    wrapper = fw.python_wrapper(tmp_path / 'python-in-fw')
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': {
        # The firewall: modules run inside its namespace; lookups run on the controller, on loopback.
        'fw': {'ansible_connection': 'local', 'ansible_python_interpreter': str(wrapper)},
        'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable},
    }}}))
    dns = dns_server(records={'demo-fe01.outsystemsenterprise.com': {'A': ['192.0.2.11'], 'AAAA': ['2001:db8::11']},
                              'demo-fe02.outsystemsenterprise.com': {'A': ['192.0.2.12']}})
    https_server.serve('/AtlasAppServicesPublicIPsAWS.json', json.dumps(['198.51.100.21', '198.51.100.22']))
    ansible.env.update(ENV)
    sources = [
        {'type': 'outsystems_frontends', 'names': ['demo-fe01', 'demo-fe02'], 'nameservers': ['127.0.0.1'],
         'port': dns.port},
        {'type': 'egress_ranges', 'source': 'atlas', 'provider': 'aws',
         'url': https_server.url('/AtlasAppServicesPublicIPsAWS.json'), 'ca_path': ca_file,
         'cache_dir': str(tmp_path / 'cache')},
        {'type': 'egress_ranges', 'source': 'cloudgov'},
        {'type': 'static', 'addresses': ['10.10.0.0/16'], 'comment': 'OutSystems VPN range'},
    ]
    vars_fw = {'egress_sync_hosts': 'fw', 'ansible_become': False, 'egress_sync_sources': sources,
               'egress_sync_targets': [{'backend': 'nftables_set', 'table': 'filter', 'set': 'egress_v4',
                                        'set6': 'egress_v6'},
                                       {'backend': 'ipset', 'name': 'egress4'}]}
    vars_aws = {'egress_sync_hosts': 'localhost', 'ansible_become': False, 'egress_sync_sources': sources,
                'egress_sync_targets': [{'backend': 'aws_prefix_list', 'name': 'egress', 'endpoint_url': moto_server.url}]}
    client = boto3.client('ec2', endpoint_url=moto_server.url, region_name='us-east-1', aws_access_key_id='testing',
                          aws_secret_access_key='testing')
    return fw, str(inventory), vars_fw, vars_aws, client


def aws_entries(client):
    lists = [p for p in client.describe_managed_prefix_lists()['PrefixLists'] if p.get('OwnerId') != 'AWS']
    if not lists:
        return None
    return sorted((e['Cidr'], e.get('Description')) for e in
                  client.get_managed_prefix_list_entries(PrefixListId=lists[0]['PrefixListId'])['Entries'])


def ran(ansible, task):
    """The results of a role task that was not skipped (tasks of included files run once per target)."""
    return [r['result'] for r in ansible.last_results
            if r['task'].split(' : ')[-1] == task and r['result'].get('_status') != 'skipped'
            and not r['result'].get('skipped')]


V4 = ['10.10.0.0/16', '192.0.2.11/32', '192.0.2.12/32', '198.51.100.21/32', '198.51.100.22/32']
CLOUDGOV = ['52.222.122.97/32', '52.222.123.172/32']


def test_plan_apply_no_change_and_two_targets(netns, tmp_path, ansible, dns_server, https_server, ca_file, moto_server):
    fw, inventory, vars_fw, vars_aws, client = setup(netns, tmp_path, ansible, dns_server, https_server, ca_file,
                                                     moto_server)
    before = fw.ruleset()
    results, proc = ansible.run_playbook(SYNC, check=True, diff=True, extra_vars=vars_fw, inventory=inventory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (planned,) = ran(ansible, 'Get every source once and merge them into one plan')
    digest = planned['plan']['digest']
    (plan,) = ran(ansible, 'Sync the plan into every target')
    assert plan['changed'] and [(t['backend'], t['object']) for t in plan['targets']] == [
        ('nftables_set', 'egress_v4'), ('nftables_set', 'egress_v6'), ('ipset', 'egress4')]
    assert all(t['plan_digest'] == digest for t in plan['targets'])
    v4_plan = plan['diff'][0]['after']
    assert '192.0.2.11/32  # outsystems_frontends' in v4_plan and '10.10.0.0/16  # OutSystems VPN range' in v4_plan
    assert '198.51.100.21/32  # egress_ranges:atlas' in v4_plan and '52.222.122.97/32  # egress_ranges:cloudgov' in v4_plan
    assert 'PLAY RECAP' in proc.stdout and 'plan %s' % digest[:12] in proc.stdout
    assert '1 IPv6 addresses were not synced into ipset egress4: give it a name6' in proc.stdout + proc.stderr
    # Which data the run used: Atlas fetched from the network now, cloud.gov from the bundled snapshot.
    assert '\\"egress_ranges:atlas\\": \\"network\\"' in proc.stdout and '\\"egress_ranges:cloudgov\\": \\"snapshot\\"' in proc.stdout
    assert fw.ruleset() == before, 'check mode changed the kernel'

    results, proc = ansible.run_playbook(SYNC, extra_vars=vars_fw, inventory=inventory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (applied,) = ran(ansible, 'Sync the plan into every target')
    assert applied['targets'][0]['added'] == sorted(CLOUDGOV + V4, key=lambda c: [int(x) for x in c.split('/')[0].split('.')])
    assert applied['targets'][0]['added_count'] == 7
    got4 = fw.nft_set('inet', 'filter', 'egress_v4')
    assert got4 is not None and len(got4['elem']) == 7
    got6 = fw.nft_set('inet', 'filter', 'egress_v6')
    assert got6['elem'] == [{'elem': {'val': '2001:db8::11', 'comment': 'outsystems_frontends'}}]
    assert len(fw.ipset_entries('egress4')) == 7

    results, proc = ansible.run_playbook(SYNC, extra_vars=vars_aws, inventory=inventory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ('198.51.100.21/32', 'egress_ranges:atlas') in aws_entries(client) and len(aws_entries(client)) == 7

    for extra in (vars_fw, vars_aws):
        results, proc = ansible.run_playbook(SYNC, extra_vars=extra, inventory=inventory)
        assert proc.returncode == 0 and 'changed=0' in proc.stdout, proc.stdout


def test_a_failing_source_touches_no_target(netns, tmp_path, ansible, dns_server, https_server, ca_file, moto_server):
    fw, inventory, vars_fw, vars_aws, client = setup(netns, tmp_path, ansible, dns_server, https_server, ca_file,
                                                     moto_server)
    for extra in (vars_fw, vars_aws):
        results, proc = ansible.run_playbook(SYNC, extra_vars=extra, inventory=inventory)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    kernel, cloud = fw.ruleset(), aws_entries(client)
    for extra in (vars_fw, vars_aws):
        broken = dict(extra, egress_sync_sources=[dict(extra['egress_sync_sources'][0],
                                                       names=['demo-fe01', 'demo-fe02', 'demo-fe99'])]
                      + extra['egress_sync_sources'][1:], egress_sync_max_removals='100%')
        results, proc = ansible.run_playbook(SYNC, extra_vars=broken, inventory=inventory)
        assert proc.returncode != 0
        (failed,) = ran(ansible, 'Get every source once and merge them into one plan')
        assert failed['_status'] == 'failed' and 'demo-fe99.outsystemsenterprise.com' in json.dumps(failed)
        assert ran(ansible, 'Sync the plan into every target') == []
    assert fw.ruleset() == kernel and aws_entries(client) == cloud


SHOW = os.path.join(ROOT, 'playbooks', 'show.yml')


def test_show_reports_sources_and_the_plan_without_changing_anything(netns, tmp_path, ansible, dns_server, https_server,
                                                                     ca_file, moto_server):
    fw, inventory, vars_fw, vars_aws, client = setup(netns, tmp_path, ansible, dns_server, https_server, ca_file,
                                                     moto_server)
    results, proc = ansible.run_playbook(SYNC, extra_vars=vars_fw, inventory=inventory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kernel = fw.ruleset()
    # A new VPN range: 65,536 addresses stop matching, more than the default max_removals allows of a sync.
    changed = dict(vars_fw, egress_sync_max_removals='100%', egress_sync_sources=vars_fw['egress_sync_sources'][:3] + [
        {'type': 'static', 'addresses': ['10.11.0.0/16'], 'comment': 'OutSystems VPN range'}])
    results, proc = ansible.run_playbook(SHOW, extra_vars=changed, inventory=inventory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'OutSystems VPN range (static): 1 addresses: 10.11.0.0/16' in proc.stdout, proc.stdout
    assert 'outsystems_frontends (dns): 3 addresses: 192.0.2.11/32 192.0.2.12/32 2001:db8::11/128' in proc.stdout
    assert 'egress_ranges:cloudgov (snapshot): 2 addresses' in proc.stdout
    assert 'egress_ranges:atlas (cache): 2 addresses' in proc.stdout  # fetched by the sync run, within cache_ttl
    assert '-10.10.0.0/16  # OutSystems VPN range' in proc.stdout and '+10.11.0.0/16  # OutSystems VPN range' in proc.stdout
    assert fw.ruleset() == kernel, 'show.yml changed the kernel'


def test_a_fleet_shares_one_plan(netns, tmp_path, ansible, dns_server):
    """Three firewalls, one run: each front-end name is asked once per family, every host gets the same set."""
    hosts = {}
    for index in range(3):
        ns = netns('fleet')
        hosts['fw%d' % index] = (ns, ns.python_wrapper(tmp_path / ('python-%d' % index)))
    inventory = tmp_path / 'fleet.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': dict(
        (name, {'ansible_connection': 'local', 'ansible_python_interpreter': wrapper})
        for name, (_ns, wrapper) in hosts.items())}}))
    names = ['fleet-fe%d' % i for i in range(4)]
    dns = dns_server(records=dict(('%s.outsystemsenterprise.com' % n, {'A': ['192.0.2.%d' % (30 + 2 * i)]})
                                  for i, n in enumerate(names)))
    extra = {'egress_sync_hosts': 'all', 'ansible_become': False,
             'egress_sync_sources': [{'type': 'outsystems_frontends', 'names': names, 'nameservers': ['127.0.0.1'],
                                      'port': dns.port, 'ip_version': '4'}],
             'egress_sync_targets': [{'backend': 'nftables_set', 'table': 'filter', 'set': 'egress_v4'}]}
    results, proc = ansible.run_playbook(SYNC, extra_vars=extra, inventory=str(inventory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted((name, rdtype) for name, rdtype, _proto in dns.queries) == sorted(
        ('%s.outsystemsenterprise.com' % n, 'A') for n in names)
    synced = ran(ansible, 'Sync the plan into every target')
    assert len(synced) == 3 and len(set(r['plan_digest'] for r in synced)) == 1
    sets = [json.dumps(ns.nft_set('inet', 'filter', 'egress_v4')['elem'], sort_keys=True) for ns, _w in hosts.values()]
    assert len(set(sets)) == 1 and json.loads(sets[0])[0] == {'elem': {'val': '192.0.2.30', 'comment': 'outsystems_frontends'}}
    assert proc.stdout.count('plan %s' % synced[0]['plan_digest'][:12]) == 3
