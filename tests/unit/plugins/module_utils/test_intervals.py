# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fast interval arithmetic must agree with netaddr (the reference) on every input."""

from __future__ import annotations

import ipaddress

import netaddr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.allowlist.egress.plugins.module_utils import _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._addresses import canonicalize
from ansible_collections.allowlist.egress.plugins.module_utils._errors import AddressError

# Small IPv4 prefixes in 192.0.2.0/24 and IPv6 in 2001:db8::/120, so that random lists overlap often.
v4 = st.builds(lambda a, n: str(netaddr.IPNetwork('192.0.2.%d/%d' % (a, n)).cidr), st.integers(0, 255), st.integers(24, 32))
v6 = st.builds(lambda a, n: str(netaddr.IPNetwork('2001:db8::%x/%d' % (a, n)).cidr), st.integers(0, 255), st.integers(120, 128))
entries = st.lists(st.one_of(v4, v6), max_size=30)


def as_ipset(merged):
    return netaddr.IPSet(_intervals.to_cidr_strings(merged))


def parse_all(items):
    return [i for item in items for i in _intervals.parse(item)]


@pytest.mark.parametrize('entry, expected', [
    ('192.0.2.1', (4, 0xC0000201, 0xC0000201)),
    ('192.0.2.0/24', (4, 0xC0000200, 0xC00002FF)),
    ('0.0.0.0/0', (4, 0, 2 ** 32 - 1)),
    ('2001:DB8::/32', (6, 0x20010DB8 << 96, (0x20010DB8 << 96) | (2 ** 96 - 1))),
])
def test_parse(entry, expected):
    assert _intervals.parse(entry) == [expected]


@pytest.mark.parametrize('entry', ['192.0.2.300', '192.0.2.1/33', '192.0.2.1/', '01.2.3.4', 'fe80::1%eth0', '',
                                   'not-an-ip', '192.0.2.9-192.0.2.1',
                                   # str.isdigit() is true of a superscript two, which int() refuses
                                   '192.0.2.0/\u00b2', '2001:db8::/\u00b3\u00b2'])
def test_parse_errors_are_the_collection_errors(entry):
    with pytest.raises(AddressError) as error:
        _intervals.parse(entry, source='addresses[3]')
    assert repr(entry) in str(error.value) or 'Empty' in str(error.value)
    assert 'addresses[3]' in str(error.value)


def test_host_bits_strict_and_lenient():
    with pytest.raises(AddressError, match='host bits are set'):
        _intervals.parse('192.0.2.5/24', strict=True)
    warnings = []
    assert _intervals.parse('192.0.2.5/24', strict=False, warn=warnings.append) == [(4, 0xC0000200, 0xC00002FF)]
    assert '192.0.2.0/24' in warnings[0]


@settings(max_examples=300, deadline=None)
@given(entries)
def test_merge_and_cidrs_match_netaddr(items):
    merged = _intervals.merge(parse_all(items))
    assert _intervals.to_cidr_strings(merged) == canonicalize(items, aggregate=True)
    # Merged is sorted and disjoint, with no two adjacent intervals of one version.
    for left, right in zip(merged, merged[1:]):
        assert (left[0], left[2] + 1) < right[:2]


@settings(max_examples=300, deadline=None)
@given(entries, entries)
def test_subtract_and_intersect_match_netaddr(a, b):
    ma, mb = _intervals.merge(parse_all(a)), _intervals.merge(parse_all(b))
    assert as_ipset(_intervals.subtract(ma, mb)) == netaddr.IPSet(a) - netaddr.IPSet(b)
    assert as_ipset(_intervals.intersect(ma, mb)) == netaddr.IPSet(a) & netaddr.IPSet(b)


@settings(max_examples=200, deadline=None)
@given(entries, st.one_of(v4, v6))
def test_lookup_covers(items, probe):
    lookup = _intervals.Lookup(_intervals.merge(parse_all(items)))
    assert lookup.covers(_intervals.parse(probe)[0]) == (netaddr.IPNetwork(probe) in netaddr.IPSet(items))


def test_cidrs_of_a_range_and_min_prefix():
    interval = _intervals.parse('192.0.2.0-192.0.2.130')
    assert [_intervals.cidr_text(p) for p in _intervals.cidrs(interval[0])] == \
        ['192.0.2.0/25', '192.0.2.128/31', '192.0.2.130/32']
    everything = _intervals.parse('0.0.0.0/0')[0]
    assert [_intervals.cidr_text(p) for p in _intervals.cidrs(everything, min_prefix=1)] == ['0.0.0.0/1', '128.0.0.0/1']
    assert _intervals.describe(interval[0]) == '192.0.2.0-192.0.2.130'


@settings(max_examples=200, deadline=None)
@given(entries, entries)
def test_count_overlapping(a, b):
    prefixes = [p for i in _intervals.merge(parse_all(a)) for p in _intervals.cidrs(i)]
    merged = _intervals.merge(parse_all(b))
    expected = sum(1 for p in prefixes if netaddr.IPSet([_intervals.cidr_text(p)]) & netaddr.IPSet(b))
    assert _intervals.count_overlapping(prefixes, merged) == expected


# Text shaped like an address, a CIDR or a range, with the spellings parse() refuses or normalises.
address_like = st.one_of(
    v4, v6,
    st.text(alphabet='0123456789abcdef.:/- \u00b2\u0663%', max_size=24),
    st.builds(lambda a, n: '192.0.2.%d/%s' % (a, n), st.integers(0, 300),
              st.sampled_from(['0', '00', '08', '8', '24', '32', '33', '', '-1', '\u00b2', ' 24'])),
    st.builds(lambda a, n: '2001:db8::%x/%s' % (a, n), st.integers(0, 70000),
              st.sampled_from(['0', '64', '128', '129', '0128', '']))
)


@settings(max_examples=1000, deadline=None)
@given(address_like)
def test_parse_plain_reads_what_parse_reads_or_steps_aside(text):
    # The sync's fast path: it may return None for anything, but never another interval than parse(), nor one
    # that Python's own strict parser reads otherwise.
    fast = _intervals.parse_plain(text)
    if fast is not None:
        assert _intervals.parse(text) == [fast]
        network = ipaddress.ip_network(text, strict=True)
        assert fast == (network.version, int(network.network_address), int(network.broadcast_address))


@pytest.mark.parametrize('text', ['192.0.2.1', '192.0.2.0/24', '0.0.0.0/0', '2001:db8::/32', '2001:db8::1/128'])
def test_parse_plain_takes_the_usual_spellings(text):
    assert [_intervals.parse_plain(text)] == _intervals.parse(text)


@pytest.mark.parametrize('text', ['192.0.2.1/24', ' 192.0.2.1', '192.0.2.1-192.0.2.9', '192.0.2.0/\u00b2', '01.2.3.4',
                                  '192.0.2.0/024', '192.0.2.0/', 'fe80::1%eth0', ''])
def test_parse_plain_leaves_errors_and_odd_spellings_to_parse(text):
    assert _intervals.parse_plain(text) is None


@settings(max_examples=200, deadline=None)
@given(entries)
def test_count_prefixes_and_entry_text(items):
    merged = _intervals.merge(parse_all(items))
    assert _intervals.count_prefixes(merged) == sum(_intervals.prefix_count(i) for i in merged)
    for interval in merged:
        for prefix in _intervals.cidrs(interval):
            text = _intervals.cidr_text(prefix)
            expected = text.rsplit('/', 1)[0] if prefix[2] == _intervals.BITS[prefix[0]] else text
            assert _intervals.entry_text(prefix) == expected
