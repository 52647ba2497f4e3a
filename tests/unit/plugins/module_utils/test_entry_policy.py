# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The entry policy: what never reaches an allowlist, what needs an option, and what is ordinary."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _entry_policy, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

REMOTE = _entry_policy.EntryPolicy(remote=True)
LOCAL = _entry_policy.EntryPolicy(remote=False)
REAL_FEEDS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..', 'shared', 'real-feeds')


def problem(policy, entry):
    (interval,) = _intervals.parse(entry)
    return policy.problem(interval)


@pytest.mark.parametrize('entry, reason', [
    ('0.0.0.0/0', 'whole IPv4 address space'),
    ('::/0', 'whole IPv6 address space'),
    ('0.0.0.0/1', '"this network"'),
    ('128.0.0.0/1', 'link-local'),
    ('0.0.0.0', 'unspecified address 0.0.0.0'),
    ('::', 'unspecified address ::'),
    ('127.0.0.1', 'loopback'),
    ('::1', 'loopback ::1'),
    ('169.254.169.254', 'link-local'),
    ('fe80::1', 'link-local'),
    ('224.0.0.251', 'multicast'),
    ('ff02::1', 'multicast'),
    ('255.255.255.255', 'broadcast'),
    ('240.0.0.1', 'reserved'),
    ('::ffff:192.0.2.1', 'IPv4-mapped'),
    ('::ffff:0:0/96', 'IPv4-mapped'),
    ('64:ff9b::c000:201', 'NAT64'),
    ('64:ff9b:1::/48', 'NAT64'),
    ('100::1', 'discard-only'),
    ('fec0::1', 'site-local'),
    ('126.0.0.0/7', 'loopback'),  # a wide prefix that reaches into a refused range
])
def test_always_refused_whoever_supplied_it(entry, reason):
    for policy in (REMOTE, LOCAL, _entry_policy.EntryPolicy(remote=True, allow_private=True, min_prefixlen_v4=0,
                                                            min_prefixlen_v6=0)):
        why = problem(policy, entry)
        assert why and reason in why, (entry, why)


@pytest.mark.parametrize('entry', ['10.0.0.0/8', '10.1.2.3', '172.16.0.1', '192.168.1.0/24', '100.64.0.1',
                                   '198.18.0.1', '192.0.0.9', 'fd00::1', 'fd12:3456::/48'])
def test_private_ranges_need_allow_private_from_a_remote_source(entry):
    assert 'allow_private=true' in problem(REMOTE, entry)
    assert problem(_entry_policy.EntryPolicy(remote=True, allow_private=True), entry) is None
    assert problem(LOCAL, entry) is None  # a module's own addresses and static sources may hold a VPN range
    assert _entry_policy.private_range(_intervals.parse(entry)[0])


@pytest.mark.parametrize('entry', ['192.0.2.1', '198.51.100.0/24', '203.0.113.7', '2001:db8::/32', '2001:db8::1',
                                   '52.222.122.97', '13.32.0.0/11', '2600:1f00::/24', '1.0.0.0/8', '2001::/16'])
def test_ordinary_addresses_and_the_documentation_ranges_pass(entry):
    assert problem(REMOTE, entry) is None
    assert problem(LOCAL, entry) is None


def test_prefix_limits_per_family_and_their_options():
    assert 'wider than /8 (min_prefixlen_v4)' in problem(REMOTE, '2.0.0.0/7')
    assert 'wider than /16 (min_prefixlen_v6)' in problem(REMOTE, '2000::/15')
    relaxed = _entry_policy.EntryPolicy(remote=True, min_prefixlen_v4=6, min_prefixlen_v6=12)
    assert problem(relaxed, '4.0.0.0/6') is None and problem(relaxed, '2000::/12') is None
    assert 'wider than /6' in problem(relaxed, '0.0.0.0/5') or '"this network"' in problem(relaxed, '0.0.0.0/5')
    strict = _entry_policy.EntryPolicy(remote=False, min_prefixlen_v4=24)
    assert problem(strict, '192.0.2.0/24') is None and 'wider than /24' in problem(strict, '198.51.100.0/23')
    # A range that is no single prefix counts by its size.
    assert 'wider than /8' in problem(REMOTE, '1.0.0.0-2.0.0.0')
    assert problem(REMOTE, '1.128.0.0-2.127.255.255') is None


@pytest.mark.parametrize('value', [-1, 33, 'eight', True, 8.5])
def test_bad_prefix_limits_are_errors(value):
    with pytest.raises(EgressError, match='Invalid min_prefixlen_v4'):
        _entry_policy.EntryPolicy(remote=True, min_prefixlen_v4=value)


def test_allow_anywhere_admits_only_the_whole_space():
    anywhere = _entry_policy.EntryPolicy(remote=False, allow_anywhere=True)
    assert problem(anywhere, '0.0.0.0/0') is None and problem(anywhere, '::/0') is None
    assert problem(anywhere, '0.0.0.0/1') is not None and problem(anywhere, '127.0.0.1') is not None
    assert 'allow_anywhere=true' in problem(LOCAL, '0.0.0.0/0')


def test_check_names_the_first_bad_entry_and_where_it_came_from():
    entries = ['192.0.2.1', '198.51.100.0/24', '10.0.0.1', '127.0.0.1']
    with pytest.raises(EgressError) as error:
        REMOTE.check_intervals(((e, _intervals.parse(e)[0]) for e in entries), 'source custom (https://mirror/x)')
    assert str(error.value).startswith('Refusing 10.0.0.1 from source custom (https://mirror/x): it is in the '
                                       'private range 10.0.0.0/8')
    assert str(error.value).endswith('Nothing was changed.')


def test_check_is_quiet_for_merged_neighbours_that_are_each_narrow_enough():
    # Four adjacent /10 merge into one /8-sized interval: no single entry is wider than /9.
    policy = _entry_policy.EntryPolicy(remote=True, min_prefixlen_v4=9)
    entries = ['44.0.0.0/10', '44.64.0.0/10', '44.128.0.0/10', '44.192.0.0/10']
    policy.check_intervals(((e, _intervals.parse(e)[0]) for e in entries), 'source x')


def test_suspect_finds_a_refused_range_anywhere_in_a_large_list():
    merged = _intervals.merge(_intervals.parse('198.51.%d.%d' % (i // 256, i % 256))[0] for i in range(0, 60000, 3))
    assert not REMOTE.suspect(merged)
    assert REMOTE.suspect(_intervals.merge(merged + [_intervals.parse('10.9.9.9')[0]]))
    assert REMOTE.suspect(_intervals.merge(merged + [_intervals.parse('ff02::1')[0]]))
    assert not LOCAL.suspect(_intervals.merge(merged + [_intervals.parse('10.9.9.9')[0]]))


@pytest.mark.skipif(not os.path.isdir(REAL_FEEDS), reason='shared/real-feeds is not beside the checkout')
def test_the_real_published_lists_pass_the_default_policy():
    """The defaults must not refuse what AWS, Google, GitHub, Cloudflare, Fastly and Atlassian really publish."""
    with open(os.path.join(REAL_FEEDS, 'aws-ip-ranges.json')) as f:
        aws = json.load(f)
    entries = [p['ip_prefix'] for p in aws['prefixes']] + [p['ipv6_prefix'] for p in aws['ipv6_prefixes']]
    with open(os.path.join(REAL_FEEDS, 'gcp-cloud.json')) as f:
        entries += [p.get('ipv4Prefix') or p.get('ipv6Prefix') for p in json.load(f)['prefixes']]
    with open(os.path.join(REAL_FEEDS, 'fastly-public-ip-list.json')) as f:
        fastly = json.load(f)
    entries += fastly['addresses'] + fastly['ipv6_addresses']
    for name in ('cloudflare-ips-v4.txt', 'cloudflare-ips-v6.txt'):
        with open(os.path.join(REAL_FEEDS, name)) as f:
            entries += [line.strip() for line in f if line.strip()]
    with open(os.path.join(REAL_FEEDS, 'atlassian-ip-ranges.json')) as f:
        entries += [item['cidr'] for item in json.load(f)['items']]
    with open(os.path.join(REAL_FEEDS, 'github-meta.json')) as f:
        github = json.load(f)
    entries += [e for value in github.values() if isinstance(value, list) for e in value
                if isinstance(e, str) and ('.' in e or ':' in e) and '/' in e and ' ' not in e]
    assert len(entries) > 10000
    REMOTE.check_intervals(((e, _intervals.parse(e, strict=False)[0]) for e in entries), 'the real feeds')
