# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWS behaviour that moto does not model, with botocore's Stubber: each test is named for the rule it checks.

A hand-written stand-in is used here on purpose: real AWS cannot run in these tests, and moto (which the
integration tests use) accepts 120 entries per call, stale versions and MaxEntries changes without effect.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _aws_prefix_list as aws

PL = 'pl-0123456789abcdef0'


@pytest.fixture
def ec2():
    client = boto3.client('ec2', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def described(version, max_entries, state='modify-complete'):
    return {'PrefixLists': [{'PrefixListId': PL, 'AddressFamily': 'IPv4', 'State': state, 'PrefixListName': 'atlas',
                             'MaxEntries': max_entries, 'Version': version, 'Tags': [{'Key': 'Name', 'Value': 'atlas'}],
                             'OwnerId': '123456789012'}]}


def expect_read(stubber, version, max_entries, cidrs):
    stubber.add_response('describe_managed_prefix_lists', described(version, max_entries), {'PrefixListIds': [PL]})
    stubber.add_response('get_managed_prefix_list_entries', {'Entries': [{'Cidr': c} for c in cidrs]},
                         {'PrefixListId': PL})


def expect_modify(stubber, params, new_version, max_entries=300, state='modify-complete'):
    stubber.add_response('modify_managed_prefix_list', {'PrefixList': described(new_version, max_entries, state)['PrefixLists'][0]},
                         dict(params, PrefixListId=PL))


def sync(client, addresses, state='replaced', **kwargs):
    backend = aws.AwsPrefixList(client, list_id=PL, sleep=lambda seconds: None, **kwargs)
    return _address_set.sync(backend, dict(addresses=addresses, state=state, max_removals='100%', return_commands=True))


def cidrs(count, offset=0):
    return ['198.18.%d.%d/32' % ((offset + i) * 2 // 256, (offset + i) * 2 % 256) for i in range(count)]


def test_at_most_100_entries_added_or_removed_per_modify_call(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 300, cidrs(30))
    wanted = cidrs(220, offset=30)  # 30 removals, 220 additions: 250 changes
    expect_modify(stubber, {'CurrentVersion': 1, 'RemoveEntries': [{'Cidr': c} for c in cidrs(30)],
                            'AddEntries': [{'Cidr': c} for c in wanted[:70]]}, 2)
    expect_modify(stubber, {'CurrentVersion': 2, 'AddEntries': [{'Cidr': c} for c in wanted[70:170]]}, 3)
    expect_modify(stubber, {'CurrentVersion': 3, 'AddEntries': [{'Cidr': c} for c in wanted[170:]]}, 4)
    result = sync(client, wanted)
    assert len(result['commands']) == 3 and result['max_entries_grown_by'] == 0


def test_entries_and_max_entries_never_change_in_the_same_call(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 2, cidrs(2))
    stubber.add_response('describe_security_groups', {'SecurityGroups': []}, {})
    expect_modify(stubber, {'CurrentVersion': 1, 'MaxEntries': 3}, 1, max_entries=3)
    expect_modify(stubber, {'CurrentVersion': 1, 'AddEntries': [{'Cidr': '203.0.113.0/24'}]}, 2, max_entries=3)
    result = sync(client, ['203.0.113.0/24'], state='merged')
    assert result['max_entries'] == 3 and result['max_entries_grown_by'] == 1


def group(group_id, inbound=(), outbound=()):
    return {'GroupId': group_id, 'GroupName': group_id + '-name', 'OwnerId': '123456789012', 'Description': 'd',
            'VpcId': 'vpc-1', 'IpPermissions': list(inbound), 'IpPermissionsEgress': list(outbound)}


def rule(port, cidrs=(), lists=(), groups=()):
    return {'IpProtocol': 'tcp', 'FromPort': port, 'ToPort': port, 'IpRanges': [{'CidrIp': c} for c in cidrs],
            'PrefixListIds': [{'PrefixListId': pl} for pl in lists], 'UserIdGroupPairs': [{'GroupId': g} for g in groups]}


def test_growth_past_a_referencing_groups_rule_quota_fails_naming_each_group_before_any_change(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, cidrs(10))
    # sg-a: 2 rules x MaxEntries plus 39 CIDRs inbound: 10 -> 11 makes 61 > 60. sg-b: another list of 20 plus
    # a group reference and 15 CIDRs outbound: 11 + 20 + 1 + 15 = 47, fine. sg-c does not reference the list.
    # Second page: sg-d is at exactly 60 outbound after growth (allowed), sg-e at 61.
    stubber.add_response('describe_security_groups', {'SecurityGroups': [
        group('sg-a', inbound=[rule(443, lists=[PL]), rule(22, lists=[PL]), rule(80, cidrs=cidrs(39))]),
        group('sg-b', outbound=[rule(443, lists=[PL, 'pl-other'], groups=['sg-c'], cidrs=cidrs(15))])],
        'NextToken': 'page2'}, {})
    stubber.add_response('describe_security_groups', {'SecurityGroups': [
        group('sg-c', inbound=[rule(80, cidrs=cidrs(59))]),
        group('sg-d', inbound=[rule(80, cidrs=cidrs(50))], outbound=[rule(443, lists=[PL], cidrs=cidrs(49))]),
        group('sg-e', outbound=[rule(443, lists=[PL], cidrs=cidrs(50))])]},
        {'NextToken': 'page2'})
    stubber.add_response('describe_managed_prefix_lists', {'PrefixLists': [
        dict(described(3, 20)['PrefixLists'][0], PrefixListId='pl-other')]}, {'PrefixListIds': ['pl-other']})
    with pytest.raises(EgressError) as caught:
        sync(client, cidrs(11))  # no modify is stubbed: any change would fail the Stubber
    message = str(caught.value)
    assert 'Growing MaxEntries of prefix list %s to 11 would take 2 security group(s) past ' \
           'security_group_rules_quota=60' % PL in message
    assert 'sg-a (sg-a-name): 61 inbound rules' in message and 'sg-e (sg-e-name): 61 outbound rules' in message
    assert 'sg-b' not in message and 'sg-c' not in message and 'sg-d' not in message


def test_growth_within_the_given_quota_goes_ahead(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, cidrs(10))
    stubber.add_response('describe_security_groups', {'SecurityGroups': [
        group('sg-a', inbound=[rule(443, lists=[PL]), rule(22, lists=[PL]), rule(80, cidrs=cidrs(39))])]}, {})
    expect_modify(stubber, {'CurrentVersion': 1, 'MaxEntries': 11}, 2, max_entries=11)
    expect_modify(stubber, {'CurrentVersion': 2, 'AddEntries': [{'Cidr': cidrs(11)[10]}]}, 3, max_entries=11)
    result = sync(client, cidrs(11), security_group_rules_quota=61)
    assert result['max_entries_grown_by'] == 1


def test_a_group_exactly_at_the_quota_after_growth_is_allowed_and_other_lists_count_their_max_entries():
    sizes = {PL: 11, 'pl-other': 20}
    assert aws.rule_count([rule(443, lists=[PL]), rule(22, lists=[PL]), rule(80, cidrs=cidrs(38))], sizes) == 60
    assert aws.rule_count([rule(443, lists=[PL, 'pl-other'], groups=['sg-x'], cidrs=cidrs(2)),
                           {'IpProtocol': '-1', 'Ipv6Ranges': [{'CidrIpv6': '2001:db8::/32'}]}], sizes) == 35
    assert aws.rule_count([], sizes) == 0


def test_unreadable_security_groups_stop_the_growth(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, cidrs(10))
    stubber.add_client_error('describe_security_groups', 'UnauthorizedOperation', 'You are not authorized')
    with pytest.raises(EgressError, match='refused describe_security_groups.*MaxEntries.*to 11.*UnauthorizedOperation'):
        sync(client, cidrs(11))


@pytest.mark.parametrize('quota', [0, -1, True, '60'])
def test_a_bad_quota_is_refused(quota):
    with pytest.raises(EgressError, match='Invalid security_group_rules_quota'):
        aws.AwsPrefixList(None, name='x', security_group_rules_quota=quota)


def test_a_version_conflict_is_replanned_from_a_fresh_read_never_replayed(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, ['192.0.2.1/32', '192.0.2.2/32'])
    stubber.add_client_error('modify_managed_prefix_list', 'InvalidRequest', 'The prefix list version has changed.',
                             expected_params={'PrefixListId': PL, 'CurrentVersion': 1,
                                              'RemoveEntries': [{'Cidr': '192.0.2.2/32'}],
                                              'AddEntries': [{'Cidr': '192.0.2.3/32'}]})
    # Someone else added 192.0.2.9 meanwhile (version 2).
    stubber.add_response('describe_managed_prefix_lists', described(2, 10), {'PrefixListIds': [PL]})
    expect_read(stubber, 2, 10, ['192.0.2.1/32', '192.0.2.2/32', '192.0.2.9/32'])
    expect_modify(stubber, {'CurrentVersion': 2, 'RemoveEntries': [{'Cidr': '192.0.2.2/32'}, {'Cidr': '192.0.2.9/32'}],
                            'AddEntries': [{'Cidr': '192.0.2.3/32'}]}, 3)
    sync(client, ['192.0.2.1', '192.0.2.3'])


def test_a_refused_modify_without_a_version_change_is_an_error_naming_the_aws_code(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, ['192.0.2.1/32'])
    stubber.add_client_error('modify_managed_prefix_list', 'InvalidParameterValue', 'Invalid CIDR')
    stubber.add_response('describe_managed_prefix_lists', described(1, 10), {'PrefixListIds': [PL]})
    with pytest.raises(EgressError, match='InvalidParameterValue'):
        sync(client, ['192.0.2.1', '192.0.2.3'])


def test_incorrect_state_while_a_modify_is_in_progress_waits_and_retries(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, ['192.0.2.1/32'])
    params = {'CurrentVersion': 1, 'AddEntries': [{'Cidr': '192.0.2.3/32'}]}
    stubber.add_client_error('modify_managed_prefix_list', 'IncorrectState', 'modify-in-progress',
                             expected_params=dict(params, PrefixListId=PL))
    expect_modify(stubber, params, 2)
    sync(client, ['192.0.2.3'], state='merged')


def test_each_modify_waits_for_modify_complete_before_the_next(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 300, [])
    wanted = cidrs(150)
    expect_modify(stubber, {'CurrentVersion': 1, 'AddEntries': [{'Cidr': c} for c in wanted[:100]]}, 2,
                  state='modify-in-progress')
    stubber.add_response('describe_managed_prefix_lists', described(2, 300, 'modify-in-progress'), {'PrefixListIds': [PL]})
    stubber.add_response('describe_managed_prefix_lists', described(2, 300, 'modify-complete'), {'PrefixListIds': [PL]})
    expect_modify(stubber, {'CurrentVersion': 2, 'AddEntries': [{'Cidr': c} for c in wanted[100:]]}, 3)
    sync(client, wanted)


def test_a_failed_modify_state_is_reported(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, [])
    expect_modify(stubber, {'CurrentVersion': 1, 'AddEntries': [{'Cidr': '192.0.2.3/32'}]}, 2, state='modify-in-progress')
    failed = described(2, 10, 'modify-failed')
    failed['PrefixLists'][0]['StateMessage'] = 'sg-1 cannot support the new size'
    stubber.add_response('describe_managed_prefix_lists', failed, {'PrefixListIds': [PL]})
    with pytest.raises(EgressError, match='modify-failed.*sg-1 cannot support'):
        sync(client, ['192.0.2.3'])


def test_more_than_1000_entries_fail_before_any_call(ec2):
    client, stubber = ec2
    expect_read(stubber, 1, 10, [])
    with pytest.raises(EgressError, match='would hold 1001 entries, more than the 1000'):
        sync(client, cidrs(1001))


def test_bad_credentials_are_a_clear_error(ec2):
    client, stubber = ec2
    stubber.add_client_error('describe_managed_prefix_lists', 'AuthFailure', 'AWS was not able to validate the provided '
                             'access credentials', http_status_code=401, expected_params={'PrefixListIds': [PL]})
    with pytest.raises(EgressError, match='AuthFailure.*validate the provided access credentials'):
        sync(client, ['192.0.2.1'])


def test_description_change_removes_and_readds_the_cidr_in_one_call(ec2):
    client, stubber = ec2
    stubber.add_response('describe_managed_prefix_lists', described(1, 10), {'PrefixListIds': [PL]})
    stubber.add_response('get_managed_prefix_list_entries', {'Entries': [{'Cidr': '192.0.2.1/32', 'Description': 'old'}]},
                         {'PrefixListId': PL})
    expect_modify(stubber, {'CurrentVersion': 1, 'RemoveEntries': [{'Cidr': '192.0.2.1/32'}],
                            'AddEntries': [{'Cidr': '192.0.2.1/32', 'Description': 'new'}]}, 2)
    result = sync(client, [{'address': '192.0.2.1', 'comment': 'new'}])
    assert result['added'] == [] and result['removed'] == []


EMPTY = (b'<DescribeManagedPrefixListsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
         b'<requestId>r</requestId><prefixListSet/></DescribeManagedPrefixListsResponse>')
THROTTLED = (b'<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>'
             b'</Error></Errors><RequestID>r</RequestID></Response>')


def test_throttling_is_retried_with_backoff(https_server, ca_file, monkeypatch):
    # Stubber skips botocore's retry handlers, so this one runs over real HTTPS against a local server
    # that answers as EC2 does: throttled twice, then the answer.
    monkeypatch.setenv('AWS_CA_BUNDLE', ca_file)
    https_server.serve('/', EMPTY, content_type='text/xml', etag=False, last_modified=False)
    https_server.script('/', (503, {'Content-Type': 'text/xml'}, THROTTLED), (503, {'Content-Type': 'text/xml'}, THROTTLED))
    client = aws.ec2_client(region='us-east-1', endpoint_url=https_server.url('/'), access_key='testing',
                            secret_key='testing')
    backend = aws.AwsPrefixList(client, name='atlas')
    assert backend.read().exists is False
    assert [r['method'] for r in https_server.requests_for('/')] == ['POST', 'POST', 'POST']
