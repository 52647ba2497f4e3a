# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import ipaddress

import netaddr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.allowlist.egress.plugins.module_utils._addresses import (
    canonicalize, parse_entry, split_families, to_cidr,
)
from ansible_collections.allowlist.egress.plugins.module_utils._errors import AddressError, EgressError


@pytest.mark.parametrize('entry, expected', [
    ('192.0.2.1', ['192.0.2.1/32']),
    (' 192.0.2.1 ', ['192.0.2.1/32']),
    ('192.0.2.0/24', ['192.0.2.0/24']),
    ('2001:db8::1', ['2001:db8::1/128']),
    ('2001:DB8:0:0::/32', ['2001:db8::/32']),
    ('192.0.2.0-192.0.2.130', ['192.0.2.0/25', '192.0.2.128/31', '192.0.2.130/32']),
    ('2001:db8::-2001:db8::3', ['2001:db8::/126']),
])
def test_parse_entry_canonical(entry, expected):
    assert [to_cidr(n) for n in parse_entry(entry)] == expected


@pytest.mark.parametrize('entry, reason', [
    ('192.0.2', 'not an IP address or CIDR'),
    ('192.0.2.300', 'not an IP address or CIDR'),
    ('192.0.2.1/33', 'not an IP address or CIDR'),
    ('01.2.3.4', 'not an IP address or CIDR'),
    ('fe80::1%eth0', 'not an IP address or CIDR'),
    ('example.com', 'not an IP address or CIDR'),
    ('192.0.2.1; rm -rf /', 'not an IP address or CIDR'),
    ('192.0.2.9-192.0.2.1', 'the first address is after the last'),
    ('192.0.2.1-2001:db8::1', 'different IP versions'),
    ('192.0.2.1-nope', 'both ends must be IP addresses'),
    ('', 'Empty address entry'),
])
def test_parse_entry_errors_name_the_entry_and_source(entry, reason):
    with pytest.raises(AddressError) as error:
        parse_entry(entry, source='source test (https://example.test/list)')
    message = str(error.value)
    assert reason in message
    assert 'source test (https://example.test/list)' in message
    if entry:
        assert repr(entry) in message


def test_non_string_entry_is_an_error():
    with pytest.raises(AddressError, match='expected a string, got int'):
        parse_entry(12, source='x')


def test_host_bits_strict_error_names_network():
    with pytest.raises(AddressError) as error:
        parse_entry('192.0.2.5/24', source='inventory')
    assert "'192.0.2.5/24'" in str(error.value)
    assert '192.0.2.0/24' in str(error.value)
    assert 'strict=false' in str(error.value)


def test_host_bits_normalised_with_warning_when_not_strict():
    warnings = []
    assert [to_cidr(n) for n in parse_entry('192.0.2.5/24', source='s', strict=False, warn=warnings.append)] == ['192.0.2.0/24']
    assert len(warnings) == 1 and '192.0.2.5/24' in warnings[0] and '192.0.2.0/24' in warnings[0]


def test_canonicalize_dedupes_and_sorts_v4_before_v6():
    entries = ['2001:db8::1', '198.51.100.7', '192.0.2.1/32', '192.0.2.1', '2001:db8::/32', '192.0.2.0/24']
    assert canonicalize(entries) == ['192.0.2.0/24', '192.0.2.1/32', '198.51.100.7/32', '2001:db8::/32',
                                     '2001:db8::1/128']


def test_aggregate_merges_adjacent_and_contained_but_never_widens():
    assert canonicalize(['192.0.2.0/25', '192.0.2.128/25'], aggregate=True) == ['192.0.2.0/24']
    assert canonicalize(['192.0.2.0/24', '192.0.2.7'], aggregate=True) == ['192.0.2.0/24']
    # Not siblings: 192.0.2.128/25 and 192.0.3.0/25 must not become a /23.
    assert canonicalize(['192.0.2.128/25', '192.0.3.0/25'], aggregate=True) == ['192.0.2.128/25', '192.0.3.0/25']
    assert canonicalize(['192.0.2.0/25', '192.0.2.128/26'], aggregate=True) == ['192.0.2.0/25', '192.0.2.128/26']
    assert canonicalize(['2001:db8::/33', '2001:db8:8000::/33', '192.0.2.0/32'], aggregate=True) == [
        '192.0.2.0/32', '2001:db8::/32']


def test_ip_version_filter_and_split():
    entries = ['192.0.2.1', '2001:db8::1']
    assert canonicalize(entries, ip_version='4') == ['192.0.2.1/32']
    assert canonicalize(entries, ip_version='6') == ['2001:db8::1/128']
    assert split_families(canonicalize(entries)) == (['192.0.2.1/32'], ['2001:db8::1/128'])
    with pytest.raises(EgressError, match="Invalid ip_version '5'"):
        canonicalize(entries, ip_version='5')


v4_networks = st.builds(lambda addr, plen: str(ipaddress.ip_network((addr, plen), strict=False)),
                        st.integers(0, 2 ** 32 - 1), st.integers(8, 32))
v6_networks = st.builds(lambda addr, plen: str(ipaddress.ip_network((addr, plen), strict=False)),
                        st.integers(0, 2 ** 128 - 1), st.integers(16, 128))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(v4_networks, v6_networks), max_size=40))
def test_aggregate_is_lossless_and_canonical_is_idempotent(entries):
    plain = canonicalize(entries)
    merged = canonicalize(entries, aggregate=True)
    assert netaddr.IPSet(plain) == netaddr.IPSet(entries)
    assert netaddr.IPSet(merged) == netaddr.IPSet(entries)
    assert canonicalize(plain) == plain
    assert canonicalize(merged, aggregate=True) == merged
    assert len(merged) <= len(plain)
    assert merged == sorted(merged, key=lambda c: (':' in c, netaddr.IPNetwork(c).first, netaddr.IPNetwork(c).prefixlen))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parser_only_raises_address_errors_on_arbitrary_text(text):
    try:
        networks = parse_entry(text, source='fuzz')
    except AddressError as error:
        assert 'fuzz' in str(error)
    else:
        assert networks and all(isinstance(n, netaddr.IPNetwork) for n in networks)
