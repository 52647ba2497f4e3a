# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How one plan becomes module calls: the table every backend declares, families, shared options."""

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _sync_targets
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target

PLAN = {'digest': 'd' * 64,
        'ipv4': [{'comment': 'a', 'addresses': ['192.0.2.1/32']}],
        'ipv6': [{'comment': 'a', 'addresses': ['2001:db8::1/128']}, {'comment': 'b', 'addresses': ['2001:db8::2/128']}]}
SHARED = {'max_removals': '10%', 'max_additions': '100%', 'force': False, 'lock_timeout': None}


def test_every_backend_is_a_target_and_names_its_module():
    registry = _sync_targets.registry()
    assert sorted(registry) == ['address_feed', 'atlas_access_list', 'aws_prefix_list', 'aws_wafv2_ip_set',
                                'firewalld_ipset', 'ipset', 'nftables_set']
    from ansible_collections.allowlist.egress.plugins.module_utils.targets._registry import TARGETS
    for name, cls in TARGETS.items():
        assert issubclass(cls, Target) and registry[name].module == 'allowlist.egress.%s' % name


def test_a_set_gets_its_family_and_the_twin_gets_the_other():
    parts, unsynced = _sync_targets.parts(0, {'backend': 'nftables_set', 'table': 'filter', 'set': 'v4', 'set6': 'v6',
                                              'persist': '/etc/nft/v4.nft', 'persist6': '/etc/nft/v6.nft',
                                              'max_removals': '1'}, PLAN, SHARED)
    assert unsynced == 0
    v4, v6 = parts
    assert (v4.version, v4.object, v4.entries) == (4, 'v4', PLAN['ipv4'])
    assert v4.args == {'table': 'filter', 'set': 'v4', 'type': 'ipv4_addr', 'persist': '/etc/nft/v4.nft',
                       'max_removals': '1', 'max_additions': '100%', 'force': False}
    assert (v6.version, v6.object, v6.entries) == (6, 'v6', PLAN['ipv6'])
    assert v6.args['type'] == 'ipv6_addr' and v6.args['set'] == 'v6' and v6.args['persist'] == '/etc/nft/v6.nft'


def test_without_a_twin_the_ipv6_entries_are_counted_not_synced():
    parts, unsynced = _sync_targets.parts(1, {'backend': 'ipset', 'name': 'allow', 'persist': '/etc/ipset'}, PLAN,
                                          SHARED)
    assert [(p.version, p.args['family']) for p in parts] == [(4, 'inet')] and unsynced == 2
    parts = _sync_targets.parts(1, {'backend': 'aws_prefix_list', 'name': 'pl', 'name6': 'pl6'}, PLAN, SHARED)[0]
    assert [p.args['address_family'] for p in parts] == ['IPv4', 'IPv6']


def test_a_waf_ip_set_target_gets_one_set_per_family_with_its_scope():
    parts, unsynced = _sync_targets.parts(0, {'backend': 'aws_wafv2_ip_set', 'name': 'partner', 'name6': 'partner6',
                                              'scope': 'CLOUDFRONT', 'region': 'us-east-1'}, PLAN, SHARED)
    assert unsynced == 0
    assert [(p.version, p.object, p.args['name'], p.args['address_family'], p.args['scope']) for p in parts] == [
        (4, 'partner', 'partner', 'IPv4', 'CLOUDFRONT'), (6, 'partner6', 'partner6', 'IPv6', 'CLOUDFRONT')]
    assert [p.entries for p in parts] == [PLAN['ipv4'], PLAN['ipv6']] and 'name6' not in parts[0].args


def test_an_access_list_holds_both_families():
    parts, unsynced = _sync_targets.parts(0, {'backend': 'atlas_access_list', 'group_id': 'g1', 'target': 'project'},
                                          PLAN, SHARED)
    assert len(parts) == 1 and unsynced == 0
    assert parts[0].entries == PLAN['ipv4'] + PLAN['ipv6'] and 'family' not in parts[0].args


def test_a_feed_file_holds_both_families_and_is_named_by_its_path():
    parts, unsynced = _sync_targets.parts(0, {'backend': 'address_feed', 'path': '/srv/feeds/edl.txt',
                                              'format': 'paloalto_edl'}, PLAN, SHARED)
    assert unsynced == 0 and [(p.version, p.object) for p in parts] == [(None, '/srv/feeds/edl.txt')]
    assert parts[0].entries == PLAN['ipv4'] + PLAN['ipv6'] and parts[0].args['format'] == 'paloalto_edl'
    with pytest.raises(EgressError, match='backend address_feed needs path'):
        _sync_targets.parts(0, {'backend': 'address_feed', 'format': 'plain'}, PLAN, SHARED)


@pytest.mark.parametrize('target, message', [
    ({'backend': 'iptables', 'name': 'x'}, r"egress_sync_targets\[2\]: each target needs a backend, one of "
                                           r"address_feed, atlas_access_list, aws_prefix_list, aws_wafv2_ip_set, "
                                           r"firewalld_ipset, ipset, nftables_set; got 'iptables'"),
    ('nftables_set', r'egress_sync_targets\[2\]: each target needs a backend'),
    ({'backend': 'nftables_set', 'table': 'filter'}, r'backend nftables_set needs set, the object to sync into'),
    ({'backend': 'ipset', 'name': 'x', 'addresses': ['192.0.2.1']}, 'a target takes no addresses'),
    ({'backend': 'nftables_set', 'table': 'filter', 'set': 'allow', 'set6': 'allow'},
     r"egress_sync_targets\[2\]: set and set6 name the same object 'allow'"),
    ({'backend': 'ipset', 'name': 'allow', 'name6': 'allow'}, 'name and name6 name the same object'),
    ({'backend': 'nftables_set', 'table': 'filter', 'set': 'v4', 'set6': 'v6', 'persist': '/etc/nft/allow.nft',
      'persist6': '/etc/nft/./allow.nft'}, 'persist and persist6 are the same file /etc/nft/allow.nft'),
])
def test_bad_targets_fail_naming_the_target(target, message):
    with pytest.raises(EgressError, match=message):
        _sync_targets.parts(2, target, PLAN, SHARED)


def test_summary_keeps_counts_and_at_most_limit_addresses():
    part = _sync_targets.Part(4, 'v4', [], {})
    result = {'changed': True, 'before_count': 1, 'after_count': 30, 'added': ['192.0.2.%d/32' % i for i in range(30)],
              'removed': []}
    summary = _sync_targets.summary('nftables_set', part, result, 'd' * 64, 5)
    assert summary['added_count'] == 30 and len(summary['added']) == 5 and summary['removed_count'] == 0
    assert summary['plan_digest'] == 'd' * 64 and summary['family'] == 4


def test_a_comment_one_target_cannot_store_fails_before_any_target_is_synced():
    # 100 characters: within nft's 128 bytes, over Atlas's 80 with its prefix. The action checks every target's
    # parts before it runs any module, so the nftables set is not changed when the Atlas list would refuse.
    plan = {'digest': 'd' * 64, 'ipv4': [{'comment': 'x' * 100, 'addresses': ['192.0.2.1/32']}], 'ipv6': []}
    targets = [{'backend': 'nftables_set', 'table': 'filter', 'set': 'allow'},
               {'backend': 'atlas_access_list', 'group_id': 'g1', 'target': 'project'}]
    parts = [_sync_targets.parts(i, t, plan, SHARED)[0] for i, t in enumerate(targets)]
    _sync_targets.check_comments(0, targets[0], parts[0])
    with pytest.raises(EgressError, match=r'Invalid comment at egress_sync_targets\[1\] \(atlas_access_list g1\), '
                                          r'the comment of a source: with the prefix'):
        _sync_targets.check_comments(1, targets[1], parts[1])
    for comment, backend in (('y' * 129, 0), ('a\u202eb', 0)):
        bad = dict(plan, ipv4=[{'comment': comment, 'addresses': ['192.0.2.1/32']}])
        with pytest.raises(EgressError, match=r'egress_sync_targets\[0\] \(nftables_set allow\)'):
            _sync_targets.check_comments(0, targets[backend], _sync_targets.parts(0, targets[backend], bad, SHARED)[0])
    aws = {'backend': 'aws_prefix_list', 'name': 'pl'}
    _sync_targets.check_comments(2, aws, _sync_targets.parts(2, aws, plan, SHARED)[0])
    with pytest.raises(EgressError, match=r'egress_sync_targets\[2\] \(aws_prefix_list pl\)'):
        bad = dict(plan, ipv4=[{'comment': 'new\nline', 'addresses': ['192.0.2.1/32']}])
        _sync_targets.check_comments(2, aws, _sync_targets.parts(2, aws, bad, SHARED)[0])


def test_summary_carries_each_change_s_source_and_the_guards_for_the_report():
    part = _sync_targets.Part(4, 'v4', [], {})
    guards = [dict(guard='max_removals', value='50%', family=4, before=2, changed=1, limit=1, verdict='ok')]
    result = {'changed': True, 'before_count': 2, 'after_count': 2, 'added': ['192.0.2.1/32', '192.0.2.3/32'],
              'added_comments': ['feed', 'office'], 'removed': ['198.51.100.1/32'], 'removed_comments': ['feed'],
              'guards': guards, 'lists_truncated': False}
    summary = _sync_targets.summary('nftables_set', part, result, 'd' * 64, 1)
    assert summary['added_sources'] == ['feed'] and summary['removed_sources'] == ['feed']
    assert summary['guards'] == guards and summary['lists_truncated'] is True
    assert _sync_targets.summary('nftables_set', part, result, 'd' * 64, 5)['lists_truncated'] is False


def test_summary_finds_the_source_of_an_addition_the_target_stores_no_comment_for():
    # firewalld ipsets and feeds without comment syntax return None for every change: before, plan.md said
    # "(several)" on every row and the history recorded source null, so show.yml attributed nothing.
    groups = [{'comment': 'aws eu-west-1', 'addresses': ['198.51.100.0/28', '192.0.2.0/32', '2001:db8::/48']},
              {'comment': 'office', 'addresses': ['192.0.2.1/32', '203.0.113.7/32']},
              {'comment': 'aws eu-west-1', 'addresses': ['203.0.113.64/26']}]
    part = _sync_targets.Part(None, '/srv/feeds/plain.txt', groups, {})
    added = ['192.0.2.0/31', '198.51.100.4/30', '203.0.113.7/32', '203.0.113.64/27', '2001:db8::/48', '2001:db8:1::/48']
    result = {'changed': True, 'added': added, 'added_comments': [None] * len(added),
              'removed': ['192.0.2.9/32'], 'removed_comments': [None]}
    summary = _sync_targets.summary('address_feed', part, result, 'd' * 64, 100)
    # 192.0.2.0/31 is .0 of aws and .1 of office: several; 2001:db8:1::/48 is in no group (nothing to claim).
    assert summary['added_sources'] == [None, 'aws eu-west-1', 'office', 'aws eu-west-1', 'aws eu-west-1', None]
    assert summary['removed_sources'] == [None]  # the source a removed entry had is not stored: stays unknown
    # A comment the module did return is kept as is; only the listed (limited) additions are looked up.
    result['added_comments'] = ['feed'] + [None] * (len(added) - 1)
    assert _sync_targets.summary('address_feed', part, result, 'd' * 64, 3)['added_sources'] == [
        'feed', 'aws eu-west-1', 'office']
