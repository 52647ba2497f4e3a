# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.aws_prefix_list through ansible-playbook: real boto3 calls against moto on loopback."""

from __future__ import annotations

import boto3
import pytest

from tests.integration.cases import module_task
from tests.support.moto_server import ENV

MODULE = 'allowlist.egress.aws_prefix_list'


def task(title, **kwargs):
    return module_task(MODULE, title, **kwargs)


@pytest.fixture
def aws(moto_server, ansible):
    ansible.env.update(ENV)
    client = boto3.client('ec2', endpoint_url=moto_server.url, region_name='us-east-1',
                          aws_access_key_id='testing', aws_secret_access_key='testing')
    return moto_server.url, client, ansible


def lists(client):
    return [p for p in client.describe_managed_prefix_lists()['PrefixLists']
            if p.get('OwnerId') != 'AWS' and not p.get('State', '').startswith('delete-')]


def entries(client, list_id):
    paginator = client.get_paginator('get_managed_prefix_list_entries')
    return sorted((e['Cidr'], e.get('Description')) for page in paginator.paginate(PrefixListId=list_id)
                  for e in page['Entries'])


def v4(count, offset=0):
    # /32s two apart, in 198.18.0.0/15 (the benchmarking range): 250 entries that never merge.
    return ['198.18.%d.%d/32' % ((offset + i) * 2 // 256, (offset + i) * 2 % 256) for i in range(count)]


def test_create_batches_idempotence_check_mode_and_states(aws):
    url, client, ansible = aws
    # The API calls of each sync, returned when asked.
    base = dict(name='atlas-egress', endpoint_url=url, return_commands=True)
    first = [{'address': a, 'comment': 'Atlas App Services'} for a in v4(250)]
    changed = first[5:] + [{'address': a, 'comment': 'Atlas App Services'} for a in v4(5, offset=300)]
    results, proc = ansible.playbook([
        task('plan', check=True, diff=True, addresses=first, tags={'owner': 'network'}, **base),
        # Room to grow: moto 5 ignores MaxEntries in ModifyManagedPrefixList, so growth is a Stubber test.
        task('create', addresses=first, tags={'owner': 'network'}, max_entries=300, **base),
        task('again', addresses=first, tags={'owner': 'network'}, **base),
        task('spelled otherwise', addresses=[dict(e, address=e['address'].replace('/32', '')) for e in first], **base),
        task('change 2%', addresses=changed, **base),
        task('describe one', addresses=changed[:-1] + [{'address': changed[-1]['address'], 'comment': 'renamed'}], **base),
        task('merge', state='merged', addresses=['203.0.113.0/24'], **base),
        task('merge again', state='merged', addresses=['203.0.113.0/24'], **base),
        task('delete', state='deleted', addresses=['203.0.113.0/25'], **base),
        task('gather', state='gathered', **base),
        task('render', state='rendered', addresses=['192.0.2.0/24'], **base),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = results['plan']
    assert plan['changed'] and plan['after_count'] == 250 and plan['prefix_list_id'] is None
    assert plan['commands'][0].startswith('create-managed-prefix-list name=atlas-egress address-family=IPv4 max-entries=250')
    assert len(plan['commands']) == 3  # create with 100, then 100 and 50
    created = results['create']
    assert created['changed'] and created['max_entries'] == 300
    (pl,) = lists(client)
    assert pl['PrefixListId'] == created['prefix_list_id'] and pl['MaxEntries'] == 300 and pl['AddressFamily'] == 'IPv4'
    assert dict((t['Key'], t['Value']) for t in pl['Tags']) == {'Name': 'atlas-egress', 'owner': 'network'}
    for name in ('again', 'spelled otherwise', 'merge again'):
        assert results[name]['changed'] is False and results[name]['commands'] == [], name
    change = results['change 2%']
    assert len(change['removed']) == 5 and len(change['added']) == 5
    assert change['commands'] == ['modify-managed-prefix-list add=%s remove=%s' % (
        ','.join(v4(5, offset=300)), ','.join(v4(5)))]
    assert results['describe one']['commands'] == ['modify-managed-prefix-list add=%s remove=%s' % (
        changed[-1]['address'], changed[-1]['address'])]
    assert results['merge']['max_entries_grown_by'] == 0 and results['merge']['max_entries'] == 300
    assert results['delete']['removed'] == ['203.0.113.0/25']
    got = entries(client, pl['PrefixListId'])
    assert len(got) == 251 and ('203.0.113.128/25', None) in got and (changed[-1]['address'], 'renamed') in got
    assert results['gather']['gathered'][-1] == {'address': '203.0.113.128/25', 'comment': None}
    assert results['render']['rendered'].startswith('create-managed-prefix-list name=atlas-egress')

    results, proc = ansible.playbook([task('absent', state='absent', **base), task('absent again', state='absent', **base)])
    assert results['absent']['changed'] and not results['absent again']['changed']
    assert lists(client) == []


def test_ipv6_max_entries_and_removal_guard(aws):
    url, client, ansible = aws
    base = dict(name='atlas-v6', endpoint_url=url, return_commands=True)
    results, proc = ansible.playbook([
        task('v6', addresses=['2001:db8::/48', '2001:DB8:1::/48', {'address': '2001:db8:ff::1', 'comment': 'one'}], **base),
        task('v6 again', addresses=['2001:db8::/47', {'address': '2001:db8:ff::1/128', 'comment': 'one'}], **base),
        task('v4 into v6', addresses=['192.0.2.1'], ignore_errors=True, **base),
        task('wipe', addresses=[], ignore_errors=True, **base),
        task('bigger', max_entries=10, addresses=['2001:db8::/47', {'address': '2001:db8:ff::1', 'comment': 'one'}], **base),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['v6']['address_family'] == 'IPv6' and results['v6 again']['changed'] is False
    assert 'is IPv6, but the addresses are IPv4 (for example 192.0.2.1/32)' in results['v4 into v6']['msg']
    everything = 2 ** 81 + 1  # a /47 and a /128: the guard counts addresses
    assert 'Refusing to remove %d of %d IPv6 addresses' % (everything, everything) in results['wipe']['msg']
    # MaxEntries alone, in a call of its own (moto 5 does not store it: the Stubber tests check the rest).
    assert results['bigger']['commands'] == ['modify-managed-prefix-list max-entries=10']
    assert results['bigger']['max_entries_grown_by'] == 8  # from the 2 the list needed
    (pl,) = lists(client)
    assert entries(client, pl['PrefixListId']) == [('2001:db8::/47', None), ('2001:db8:ff::1/128', 'one')]


def test_bad_input_leaves_the_list_unchanged(aws):
    url, client, ansible = aws
    base = dict(name='guarded', endpoint_url=url)
    results, proc = ansible.playbook([task('create', addresses=v4(3), **base)])
    assert proc.returncode == 0
    found = lists(client)
    assert len(found) == 1, found
    pl = found[0]
    before = (entries(client, pl['PrefixListId']), lists(client))
    results, proc = ansible.playbook([
        task('not an address', addresses=v4(2) + ['198.18.0.300'], ignore_errors=True, **base),
        task('mixed', addresses=v4(2) + ['2001:db8::1'], ignore_errors=True, **base),
        task('too many', addresses=v4(1001), force=True, ignore_errors=True, **base),
        task('long description', addresses=[{'address': '192.0.2.1', 'comment': 'x' * 256}], ignore_errors=True, **base),
        task('unknown id', id='pl-00000000000000000', addresses=v4(1), ignore_errors=True, endpoint_url=url),
    ])
    assert "'198.18.0.300' from addresses[2]" in results['not an address']['msg']
    assert 'mix IPv4 and IPv6' in results['mixed']['msg']
    assert 'would hold 1001 entries, more than the 1000' in results['too many']['msg']
    assert 'at most 255 characters' in results['long description']['msg']
    assert 'no prefix list with id pl-00000000000000000' in results['unknown id']['msg']
    assert (entries(client, pl['PrefixListId']), lists(client)) == before

    # No credentials anywhere: a clear error, nothing changed.
    for key in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'):
        ansible.env.pop(key)
    ansible.env.update({'AWS_SHARED_CREDENTIALS_FILE': '/nonexistent', 'AWS_CONFIG_FILE': '/nonexistent'})
    results, proc = ansible.playbook([task('no credentials', addresses=v4(1), ignore_errors=True, **base)])
    assert 'Unable to locate credentials' in results['no credentials']['msg']
    assert (entries(client, pl['PrefixListId']), lists(client)) == before


def test_growth_past_a_referencing_security_groups_rule_quota_fails_before_any_change(aws):
    url, client, ansible = aws
    created = client.create_managed_prefix_list(PrefixListName='quota', AddressFamily='IPv4', MaxEntries=10,
                                                Entries=[{'Cidr': c} for c in v4(10)])['PrefixList']
    vpc = client.create_vpc(CidrBlock='10.20.0.0/16')['Vpc']['VpcId']
    groups = {}
    for name, cidrs in (('web', 39), ('db', 20)):
        groups[name] = client.create_security_group(GroupName=name, Description=name, VpcId=vpc)['GroupId']
        client.authorize_security_group_ingress(GroupId=groups[name], IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': port, 'ToPort': port,
             'PrefixListIds': [{'PrefixListId': created['PrefixListId']}]} for port in (443, 22)] + [
            {'IpProtocol': 'tcp', 'FromPort': 80, 'ToPort': 80,
             'IpRanges': [{'CidrIp': '203.0.113.%d/32' % i} for i in range(cidrs)]}])
    before = entries(client, created['PrefixListId'])
    base = dict(id=created['PrefixListId'], endpoint_url=url, return_commands=True)
    results, proc = ansible.playbook([
        # 11 entries: MaxEntries 10 -> 11 makes web 2 x 11 + 39 = 61 inbound rules.
        task('grow', addresses=v4(11), ignore_errors=True, **base),
        task('grow in check mode', addresses=v4(11), check=True, ignore_errors=True, **base),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert entries(client, created['PrefixListId']) == before
    for title in ('grow', 'grow in check mode'):
        message = results[title]['msg']
        assert ('Growing MaxEntries of prefix list %s to 11 would take 1 security group(s) past '
                'security_group_rules_quota=60' % created['PrefixListId']) in message, message
        assert '%s (web): 61 inbound rules' % groups['web'] in message and groups['db'] not in message
    results, proc = ansible.playbook([task('within the account quota', addresses=v4(11), security_group_rules_quota=61,
                                           **base)])
    assert results['within the account quota']['changed']
    assert results['within the account quota']['commands'][0] == 'modify-managed-prefix-list max-entries=11'
    assert len(entries(client, created['PrefixListId'])) == 11
