# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan of a sync run: sources fetched once, merged, commented, split by family, with a digest."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _sync_plan
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def test_sources_merge_first_source_wins_and_families_split(dns_server):
    server = dns_server(records={'fe01.outsystemsenterprise.com': {'A': ['192.0.2.11'], 'AAAA': ['2001:db8::11']},
                                 'fe02.outsystemsenterprise.com': {'A': ['52.222.122.97']}})
    sources = [
        {'type': 'outsystems_frontends', 'names': ['fe01', 'fe02'], 'nameservers': ['127.0.0.1'], 'port': server.port},
        {'type': 'egress_ranges', 'source': 'cloudgov'},
        {'type': 'static', 'addresses': ['10.10.0.0/16', '192.0.2.11'], 'comment': 'OutSystems VPN range'},
    ]
    plan = _sync_plan.plan(sources)
    assert plan['ipv4'] == [  # groups in source order, addresses sorted; an address keeps the first source's name
        {'comment': 'outsystems_frontends', 'addresses': ['52.222.122.97/32', '192.0.2.11/32']},
        {'comment': 'egress_ranges:cloudgov', 'addresses': ['52.222.123.172/32']},
        {'comment': 'OutSystems VPN range', 'addresses': ['10.10.0.0/16']},
    ]
    assert plan['ipv6'] == [{'comment': 'outsystems_frontends', 'addresses': ['2001:db8::11/128']}]
    assert _sync_plan.plan_digest(plan) == plan['digest']
    assert plan['counts'] == {'outsystems_frontends': 3, 'egress_ranges:cloudgov': 2, 'OutSystems VPN range': 2}
    assert plan['origins'] == {'outsystems_frontends': 'dns', 'egress_ranges:cloudgov': 'snapshot',
                               'OutSystems VPN range': 'static'}
    assert [s['label'] for s in plan['sources']] == ['outsystems_frontends', 'egress_ranges:cloudgov',
                                                     'OutSystems VPN range']
    # Each name once per family, whatever the number of hosts that will receive the plan.
    assert sorted((name, rdtype) for name, rdtype, _proto in server.queries) == [
        ('fe01.outsystemsenterprise.com', 'A'), ('fe01.outsystemsenterprise.com', 'AAAA'),
        ('fe02.outsystemsenterprise.com', 'A'), ('fe02.outsystemsenterprise.com', 'AAAA')]
    # The digest names the list: the same sources in another order give other comments, so another digest.
    again = _sync_plan.plan(sources)
    assert again['digest'] == plan['digest'] and len(plan['digest']) == 64
    assert _sync_plan.plan(sources[::-1])['digest'] != plan['digest']


@pytest.mark.parametrize('sources, message', [
    ([], 'egress_sync_sources must be a non-empty list'),
    ('atlas', 'egress_sync_sources must be a non-empty list'),
    ([{'type': 'bogus'}], r"egress_sync_sources\[0\]: each source needs a type, one of outsystems_frontends, "
                          r"egress_ranges, static; got 'bogus'"),
    (['cloudgov'], r"egress_sync_sources\[0\]: each source needs a type"),
    ([{'type': 'egress_ranges'}], r'egress_sync_sources\[0\] \(egress_ranges:None\): type egress_ranges needs source'),
    ([{'type': 'egress_ranges', 'source': 'cloudgov', 'bogus': 1}],
     r'egress_sync_sources\[0\] \(egress_ranges:cloudgov\): unknown option bogus; valid options are'),
    ([{'type': 'egress_ranges', 'source': 'cloudgov', 'offline': 'maybe'}], "'maybe' is not a valid boolean"),
    ([{'type': 'outsystems_frontends', 'names': []}], 'needs names'),
    ([{'type': 'static', 'addresses': []}], r'type static needs addresses'),
    ([{'type': 'static', 'addresses': ['192.0.2.1'], 'ttl': 3}], 'type static takes addresses and comment, not ttl'),
    ([{'type': 'static', 'addresses': ['192.0.2.1', 'not-an-ip']}],
     r"'not-an-ip' from egress_sync_sources\[0\] \(static\).addresses\[1\]"),
    ([{'type': 'static', 'addresses': ['192.0.2.1', '0.0.0.0/0']}],
     r'Refusing 0.0.0.0/0 from egress_sync_sources\[0\] \(static\): it is the whole IPv4 address space, which '
     r'would allow every address. Nothing'),
    ([{'type': 'static', 'addresses': ['127.0.0.1']}], 'loopback'),
    ([{'type': 'static', 'addresses': ['192.0.2.1'], 'comment': 'VPN\u202eNPV'}],
     r"Invalid comment 'VPN\\u202eNPV' at egress_sync_sources\[0\].comment: it holds U\+202E"),
    ([{'type': 'static', 'addresses': ['192.0.2.1'], 'comment': 'VPN\nrange'}],
     r"egress_sync_sources\[0\].comment: it holds U\+000A"),
    ([{'type': 'egress_ranges', 'source': 'cloud\ngov'}], r"Unknown source 'cloud\\ngov'"),
    ([{'type': 'egress_ranges', 'source': 'cloudgov'}, {'type': 'egress_ranges', 'source': 'cloudgov'}],
     r"egress_sync_sources\[1\]: another source already has the comment 'egress_ranges:cloudgov'"),
])
def test_bad_sources_fail_naming_the_source(sources, message):
    with pytest.raises(EgressError, match=message):
        _sync_plan.plan(sources)


def test_a_static_source_may_hold_a_private_range():
    plan = _sync_plan.plan([{'type': 'static', 'addresses': ['10.0.0.0/8', 'fd00::/8'], 'comment': 'VPN'}])
    assert plan['ipv4'] + plan['ipv6'] == [{'comment': 'VPN', 'addresses': ['10.0.0.0/8']},
                                           {'comment': 'VPN', 'addresses': ['fd00::/8']}]


def test_a_saved_plan_is_read_back_only_while_it_matches_its_digest(tmp_path):
    plan = _sync_plan.plan([{'type': 'static', 'addresses': ['192.0.2.0/24', '2001:db8::/48'], 'comment': 'x'}])
    path = _sync_plan.save(plan, str(tmp_path / 'plans'))
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'
    assert _sync_plan.load(path, plan['digest']) == plan
    summary = _sync_plan.summary(plan, path)
    assert 'ipv4' not in summary and summary['ipv4_count'] == 1 and summary['ipv6_count'] == 1
    tampered = dict(plan, ipv4=[{'comment': 'x', 'addresses': ['0.0.0.0/0']}])
    with open(path, 'w') as f:
        json.dump(tampered, f)
    with pytest.raises(EgressError, match='does not match its digest'):
        _sync_plan.load(path, plan['digest'])
    with pytest.raises(EgressError, match='Cannot read the plan'):
        _sync_plan.load(str(tmp_path / 'missing.json'), plan['digest'])
    # A week-old plan is removed when the next one is saved.
    old = tmp_path / 'plans' / ('plan-%s.json' % ('0' * 64))
    old.write_text('{}')
    os.utime(str(old), (1, 1))
    _sync_plan.save(plan, str(tmp_path / 'plans'))
    assert not old.exists()


@pytest.mark.parametrize('mode', [0o777, 0o1777, 0o770])
def test_a_plan_dir_other_users_can_write_to_is_refused(tmp_path, mode):
    # Another user could plant plan-<digest>.json (the digest of a public feed is predictable) as a symlink to
    # any file, which the controller would overwrite with the plan.
    plan = _sync_plan.plan([{'type': 'static', 'addresses': ['192.0.2.0/24']}])
    shared, victim = tmp_path / 'shared', tmp_path / 'victim'
    shared.mkdir()
    shared.chmod(mode)
    victim.write_text('precious')
    os.symlink(str(victim), str(shared / ('plan-%s.json' % plan['digest'])))
    with pytest.raises(EgressError, match=r'Refusing the plan_dir .*shared: it is writable by other users'):
        _sync_plan.save(plan, str(shared))
    assert victim.read_text() == 'precious'


def test_a_plan_dir_may_be_a_symlink_to_a_private_directory(tmp_path):
    plan = _sync_plan.plan([{'type': 'static', 'addresses': ['192.0.2.0/24']}])
    (tmp_path / 'real').mkdir(mode=0o700)
    os.symlink(str(tmp_path / 'real'), str(tmp_path / 'link'))
    path = _sync_plan.save(plan, str(tmp_path / 'link'))
    assert _sync_plan.load(path, plan['digest']) == plan
