# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The WAF IP set target with real boto3 calls against moto's server on loopback.

moto models CreateIPSet, GetIPSet, UpdateIPSet, DeleteIPSet and ListIPSets, and raises
WAFOptimisticLockException for a stale LockToken, so the lock conflict is a real one: a second client
changes the set between this target's read and its update. The 10,000-address limit and the description
rules are checked before any call, so nothing of AWS is needed for them. Only the association refusal on
delete (WAFAssociatedItemException, which moto does not raise for IP sets) uses botocore's Stubber.
"""

from __future__ import annotations

import boto3
import pytest
import requests
from botocore.stub import Stubber

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _aws_wafv2_ip_set as waf


@pytest.fixture(scope='module')
def shared_moto():
    # One server for the file (starting one costs a second), emptied before each test.
    from tests.support.moto_server import MotoServer
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def aws(shared_moto):
    requests.post(shared_moto.url + '/moto-api/reset', timeout=10).raise_for_status()
    return boto3.client('wafv2', endpoint_url=shared_moto.url, region_name='us-east-1',
                        aws_access_key_id='testing', aws_secret_access_key='testing')


def sync(client, addresses, state='replaced', name='partner', scope='REGIONAL', check_mode=False, want_diff=False,
         target_options=None, **params):
    backend = waf.AwsWafv2IpSet(client, name, scope=scope, guards=params, **(target_options or {}))
    options = dict(addresses=addresses, state=state, return_commands=True)
    options.update(params)
    return _address_set.sync(backend, options, check_mode=check_mode, want_diff=want_diff)


def stored(client, name='partner', scope='REGIONAL'):
    """(addresses, description, family) of the set as WAF holds it, or None."""
    for summary in client.list_ip_sets(Scope=scope)['IPSets']:
        if summary['Name'] == name:
            ip_set = client.get_ip_set(Name=name, Scope=scope, Id=summary['Id'])['IPSet']
            return sorted(ip_set['Addresses']), ip_set.get('Description'), ip_set['IPAddressVersion']
    return None


def test_create_check_mode_diff_no_change_and_absent(aws):
    planned = sync(aws, ['192.0.2.1', '198.51.100.0/24'], check_mode=True, want_diff=True)
    assert planned['changed'] and planned['ip_set_id'] is None and stored(aws) is None
    assert planned['commands'] == ['create-ip-set name=partner scope=REGIONAL ip-address-version=IPV4 '
                                   'addresses=192.0.2.1/32,198.51.100.0/24']
    assert planned['diff']['after'] == '192.0.2.1/32\n198.51.100.0/24\n' and planned['diff']['before'] == ''

    created = sync(aws, ['192.0.2.1', '198.51.100.0/24'], target_options=dict(description='Partner egress, synced'))
    assert created['changed'] and created['address_family'] == 'IPv4' and created['ip_set_arn'].endswith(created['ip_set_id'])
    assert stored(aws) == (['192.0.2.1/32', '198.51.100.0/24'], 'Partner egress, synced', 'IPV4')

    # The same list spelled otherwise, and with comments WAF cannot store: no change, no call.
    again = sync(aws, [{'address': '198.51.100.0/25', 'comment': 'a'}, '198.51.100.128/25', '192.0.2.1/32'])
    assert again['changed'] is False and again['commands'] == []

    changed = sync(aws, ['192.0.2.1', '192.0.2.2', '198.51.100.0/24'], want_diff=True)
    assert changed['added'] == ['192.0.2.2/32'] and changed['removed'] == []
    assert changed['commands'] == ['update-ip-set name=partner scope=REGIONAL id=%s description=Partner egress, synced '
                                   'addresses=3 add=192.0.2.2/32 remove=-' % created['ip_set_id']]
    assert changed['diff']['before'] == '192.0.2.1/32\n198.51.100.0/24\n'
    # The description the module was not given is sent back, not cleared.
    assert stored(aws) == (['192.0.2.1/32', '192.0.2.2/32', '198.51.100.0/24'], 'Partner egress, synced', 'IPV4')

    # merged, deleted, gathered.
    assert sync(aws, ['203.0.113.7'], state='merged')['added'] == ['203.0.113.7/32']
    assert sync(aws, ['198.51.100.0/25'], state='deleted')['removed'] == ['198.51.100.0/25']
    gathered = sync(aws, [], state='gathered')['gathered']
    assert [g['address'] for g in gathered] == ['192.0.2.1/32', '192.0.2.2/32', '198.51.100.128/25', '203.0.113.7/32']

    absent_plan = sync(aws, [], state='absent', check_mode=True)
    assert absent_plan['changed'] and absent_plan['commands'] == ['delete-ip-set name=partner scope=REGIONAL id=%s'
                                                                  % created['ip_set_id']]
    assert stored(aws) is not None
    assert sync(aws, [], state='absent')['changed'] and stored(aws) is None
    assert sync(aws, [], state='absent')['changed'] is False


def test_ipv6_cloudfront_and_family_rules(aws):
    result = sync(aws, ['2001:DB8::1', '2001:db8:1::/48'], scope='CLOUDFRONT', name='edge6')
    assert result['address_family'] == 'IPv6' and result['scope'] == 'CLOUDFRONT'
    assert stored(aws, 'edge6', 'CLOUDFRONT') == (['2001:db8:1::/48', '2001:db8::1/128'], None, 'IPV6')
    with pytest.raises(EgressError, match=r'is IPv6, but the addresses are IPv4 \(for example 192.0.2.1/32\)'):
        sync(aws, ['192.0.2.1'], scope='CLOUDFRONT', name='edge6')
    with pytest.raises(EgressError, match='mix IPv4 and IPv6'):
        sync(aws, ['192.0.2.1', '2001:db8::1'], name='mixed')
    with pytest.raises(EgressError, match='exists with address family IPv6, not IPv4'):
        sync(aws, ['2001:db8::1'], scope='CLOUDFRONT', name='edge6', target_options=dict(address_family='IPv4'))
    with pytest.raises(EgressError, match='Cannot tell the address family of the new'):
        sync(aws, [], name='empty')
    empty = sync(aws, [], name='empty', target_options=dict(address_family='IPv4'))
    assert empty['changed'] and stored(aws, 'empty') == ([], None, 'IPV4')
    assert stored(aws, 'edge6', 'CLOUDFRONT')[0] == ['2001:db8:1::/48', '2001:db8::1/128']


def test_a_cloudfront_set_outside_us_east_1_is_refused():
    client = boto3.client('wafv2', region_name='eu-west-1', aws_access_key_id='x', aws_secret_access_key='x')
    with pytest.raises(EgressError, match='CLOUDFRONT IP set is managed in us-east-1 only; region is eu-west-1'):
        waf.AwsWafv2IpSet(client, 'edge', scope='CLOUDFRONT')


def test_guards_and_limits_refuse_before_any_call(aws):
    sync(aws, ['192.0.2.%d' % i for i in range(1, 11)])
    before = stored(aws)
    with pytest.raises(EgressError, match='Refusing to remove 10 of 10 IPv4 addresses'):
        sync(aws, [])
    with pytest.raises(EgressError, match='Refusing to add 256 IPv4 addresses to the 10'):
        sync(aws, ['198.51.100.0/24'], state='merged', max_additions='10')
    with pytest.raises(EgressError, match=r"addresses\[1\]"):
        sync(aws, ['192.0.2.1', '192.0.2.300'])
    with pytest.raises(EgressError, match=r'Refusing 10.0.0.0/7 from addresses\[0\]'):  # the entry policy
        sync(aws, ['10.0.0.0/7'], state='merged')
    # 10,001 addresses that never merge: refused before any call (force does not lift AWS's limit).
    many = ['198.18.%d.%d/32' % (i * 2 // 256, i * 2 % 256) for i in range(10001)]
    with pytest.raises(EgressError, match='would hold 10001 addresses, more than the 10000 that AWS WAF allows'):
        sync(aws, many, force=True)
    assert stored(aws) == before
    exactly = sync(aws, many[:10000], force=True, return_commands=False)
    assert exactly['after_count'] == 10000 and len(stored(aws)[0]) == 10000


@pytest.mark.parametrize('description, why', [
    ('x' * 257, 'too long'), ('ab', 'too short for the pattern'), (' leading', 'leading space'),
    ('semi;colon', 'outside the alphabet'), ('caf\u00e9', 'not ASCII'), ('line\nbreak', 'a newline'),
])
def test_descriptions_waf_refuses_are_refused_first(description, why):
    with pytest.raises(EgressError, match='Invalid (description|comment .* at description)'):
        waf.AwsWafv2IpSet(None, 'partner', description=description)


@pytest.mark.parametrize('name', ['', 'x' * 129, 'has space', 'dot.ted', 'caf\u00e9', None])
def test_names_waf_refuses_are_refused_first(name):
    with pytest.raises(EgressError, match='Invalid IP set name'):
        waf.AwsWafv2IpSet(None, name)


def test_longest_valid_name_and_description_are_accepted():
    waf.AwsWafv2IpSet(None, 'n' * 128, description='d' * 256)


class Racing(object):
    """The target's client, with another writer that changes the set just before each of the first `times` updates."""

    def __init__(self, client, other, change, times=1):
        self._client, self._other, self._change, self.times, self.updates = client, other, change, times, 0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def update_ip_set(self, **request):
        self.updates += 1
        if self.updates <= self.times:
            ip_set_id = request['Id']
            answer = self._other.get_ip_set(Name=request['Name'], Scope=request['Scope'], Id=ip_set_id)
            self._other.update_ip_set(Name=request['Name'], Scope=request['Scope'], Id=ip_set_id,
                                      Addresses=self._change(answer['IPSet']['Addresses']), LockToken=answer['LockToken'])
        return self._client.update_ip_set(**request)


def test_a_lock_conflict_is_replanned_from_a_fresh_read(aws):
    sync(aws, ['192.0.2.1', '192.0.2.2'])
    racing = Racing(aws, aws, lambda addresses: addresses + ['203.0.113.9/32'])
    # merged keeps what the other writer added; the stale plan (without it) is never sent.
    result = sync(racing, ['192.0.2.3'], state='merged')
    assert racing.updates == 2 and result['changed']
    assert stored(aws)[0] == ['192.0.2.1/32', '192.0.2.2/31', '203.0.113.9/32']


def test_a_fresh_plan_is_checked_by_the_guards_again(aws):
    sync(aws, ['192.0.2.1', '192.0.2.2'])
    # Another writer adds 200 addresses meanwhile: replacing would remove them (and 192.0.2.2), more than
    # max_removals allows; the first plan (one removal of two) was within it.
    racing = Racing(aws, aws, lambda addresses: addresses + ['198.51.100.%d/32' % i for i in range(200)])
    with pytest.raises(EgressError, match='Refusing to remove 201 of 202'):
        sync(racing, ['192.0.2.1', '192.0.2.3'], max_removals='50%')
    assert len(stored(aws)[0]) == 202


def test_a_set_that_keeps_changing_fails_after_bounded_retries(aws):
    sync(aws, ['192.0.2.1'])
    count = iter(range(1, 100))
    racing = Racing(aws, aws, lambda addresses: addresses + ['203.0.113.%d/32' % next(count)], times=100)
    with pytest.raises(EgressError, match='kept changing under this run \\(5 attempts\\); nothing was overwritten'):
        sync(racing, ['192.0.2.2'], state='merged')
    assert racing.updates == waf.CONFLICT_RETRIES
    assert '192.0.2.2/32' not in stored(aws)[0]


def test_a_set_deleted_meanwhile_is_created_again(aws):
    sync(aws, ['192.0.2.1'])

    class Deleting(Racing):
        def update_ip_set(self, **request):
            self.updates += 1
            if self.updates == 1:
                answer = self._other.get_ip_set(Name=request['Name'], Scope=request['Scope'], Id=request['Id'])
                self._other.delete_ip_set(Name=request['Name'], Scope=request['Scope'], Id=request['Id'],
                                          LockToken=answer['LockToken'])
            return self._client.update_ip_set(**request)

    racing = Deleting(aws, aws, None)
    sync(racing, ['192.0.2.1', '192.0.2.2'])
    assert stored(aws)[0] == ['192.0.2.1/32', '192.0.2.2/32']


def test_a_set_a_web_acl_references_is_not_deleted_and_the_error_says_why():
    # Stubber: moto does not refuse deleting an IP set that a web ACL references.
    client = boto3.client('wafv2', region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')
    set_id = 'a1b2c3d4-5678-90ab-cdef-000000000001'
    token = 'a1b2c3d4-5678-90ab-cdef-000000000002'
    with Stubber(client) as stubber:
        stubber.add_response('list_ip_sets', {'IPSets': [{'Name': 'partner', 'Id': set_id, 'LockToken': token,
                                                          'ARN': 'arn:aws:wafv2:us-east-1:1:regional/ipset/partner/x'}]},
                             {'Scope': 'REGIONAL', 'Limit': 100})
        stubber.add_response('get_ip_set', {'IPSet': {'Name': 'partner', 'Id': set_id, 'ARN': 'arn:aws:wafv2:us-east-1:1:regional/ipset/partner/x',
                                                      'IPAddressVersion': 'IPV4', 'Addresses': ['192.0.2.1/32']},
                                            'LockToken': token}, {'Name': 'partner', 'Scope': 'REGIONAL', 'Id': set_id})
        stubber.add_client_error('delete_ip_set', 'WAFAssociatedItemException', "AWS WAF couldn't perform the operation "
                                 "because your resource is being used by another resource or it's associated with "
                                 'another resource.', expected_params={'Name': 'partner', 'Scope': 'REGIONAL',
                                                                       'Id': set_id, 'LockToken': token})
        with pytest.raises(EgressError, match='still referenced by a web ACL or rule group.*nothing was deleted'):
            sync(client, [], state='absent')
        stubber.assert_no_pending_responses()


def test_an_address_that_waf_holds_in_another_family_is_an_error(aws):
    created = aws.create_ip_set(Name='odd', Scope='REGIONAL', IPAddressVersion='IPV4', Addresses=['2001:db8::1/128'])
    assert created['Summary']['Id']
    with pytest.raises(EgressError, match='holds 2001:db8::1/128, not an IPv4 address'):
        sync(aws, ['192.0.2.1'], name='odd')


def test_a_long_list_of_sets_is_paged_through(aws):
    for i in range(3):
        aws.create_ip_set(Name='other-%d' % i, Scope='REGIONAL', IPAddressVersion='IPV4', Addresses=[])
    original = waf.LIST_PAGE
    waf.LIST_PAGE = 1  # moto pages ListIPSets as AWS does; one per page makes the last set the third page
    try:
        sync(aws, ['192.0.2.1'], name='other-2', force=True)
    finally:
        waf.LIST_PAGE = original
    assert stored(aws, 'other-2')[0] == ['192.0.2.1/32']
