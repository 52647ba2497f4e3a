# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Address sets as sorted integer intervals, for backends that hold 100,000 entries.

An interval is a tuple `(version, first, last)` of ints. A netaddr object costs
about 10 microseconds to build; a firewall sync compares two lists of that size
on every run, so this module parses with `socket.inet_pton` and does set
arithmetic on sorted tuples. Anything the fast path does not accept goes through
`_addresses.parse_entry`, so the errors (and the accepted spellings) are the
same everywhere in the collection.
"""

from __future__ import annotations

import bisect
import socket

from ansible_collections.allowlist.egress.plugins.module_utils import _addresses

BITS = {4: 32, 6: 128}
_FAMILY = {4: socket.AF_INET, 6: socket.AF_INET6}
_AF_INET, _AF_INET6, _inet_pton = socket.AF_INET, socket.AF_INET6, socket.inet_pton


def address_int(version, text):
    return int.from_bytes(socket.inet_pton(_FAMILY[version], text), 'big')


def address_text(version, value):
    if version == 4:
        return '%d.%d.%d.%d' % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)
    return socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, 'big'))


def parse_plain(text):
    """The interval of a plain IP or CIDR string as parse() reads it, or None for all that parse() must see.

    The loop of every sync runs this once per entry: no exception, no list, no strip (an entry with
    spaces, a range, an odd spelling or an error returns None and goes through parse()).
    """
    address, slash, length = text.partition('/')
    try:
        if ':' in address:
            version, bits, value = 6, 128, int.from_bytes(_inet_pton(_AF_INET6, address), 'big')
        else:
            version, bits, value = 4, 32, int.from_bytes(_inet_pton(_AF_INET, address), 'big')
    except (OSError, ValueError):
        return None
    if not slash:
        return (version, value, value)
    if length == '0' or (length.isascii() and length.isdigit() and length[0] != '0' and int(length) <= bits):
        hostmask = (1 << (bits - int(length))) - 1
        if not value & hostmask:
            return (version, value, value | hostmask)
    return None


def parse(entry, source=None, strict=True, warn=None):
    """One IP, CIDR or `first-last` range as a list of one interval."""
    if isinstance(entry, str) and '-' not in entry:
        interval = parse_plain(entry.strip())
        if interval is not None:
            return [interval]
    elif isinstance(entry, str) and '/' not in entry:
        first, last = entry.strip().partition('-')[::2]
        version = 6 if ':' in first else 4
        try:
            start, end = address_int(version, first.strip()), address_int(version, last.strip())
        except (OSError, ValueError):
            start = end = None
        if start is not None and start <= end:
            return [(version, start, end)]
    networks = _addresses.parse_entry(entry, source=source, strict=strict, warn=warn)
    return _merge_adjacent([(n.version, n.first, n.last) for n in networks])


def _merge_adjacent(intervals):
    return merge(intervals) if len(intervals) > 1 else intervals


def merge(intervals):
    """Sorted union: overlapping and adjacent intervals of one version become one."""
    result = []
    for version, first, last in sorted(intervals):
        if result:
            prev_version, prev_first, prev_last = result[-1]
            if prev_version == version and first <= prev_last + 1:
                if last > prev_last:
                    result[-1] = (version, prev_first, last)
                continue
        result.append((version, first, last))
    return result


def subtract(minuend, subtrahend):
    """minuend minus subtrahend; both merged (sorted, disjoint). The result is merged too."""
    if not subtrahend or not minuend:
        return list(minuend)
    result = []
    j = 0
    for version, first, last in minuend:
        while j < len(subtrahend) and subtrahend[j][:1] + (subtrahend[j][2],) < (version, first):
            j += 1
        k = j
        while first <= last and k < len(subtrahend):
            s_version, s_first, s_last = subtrahend[k]
            if (s_version, s_first) > (version, last):
                break
            if s_first > first:
                result.append((version, first, s_first - 1))
            first = max(first, s_last + 1)
            if s_last > last:
                break
            k += 1
        if first <= last:
            result.append((version, first, last))
    return result


def count_overlapping(prefixes, merged):
    """How many of the sorted, disjoint `prefixes` (version, network, length) overlap the merged list."""
    count, j = 0, 0
    for prefix in prefixes:
        version, first, last = prefix_interval(prefix)
        while j < len(merged) and (merged[j][0], merged[j][2]) < (version, first):
            j += 1
        if j < len(merged) and merged[j][0] == version and merged[j][1] <= last:
            count += 1
    return count


def intersect(a, b):
    """Addresses in both merged lists."""
    return subtract(a, subtract(a, b))


class Lookup(object):
    """Is an interval wholly inside a merged list? O(log n) per question."""

    def __init__(self, merged):
        self._merged = merged
        self._starts = [interval[:2] for interval in merged]

    def covers(self, interval):
        version, first, last = interval
        i = bisect.bisect_right(self._starts, (version, first)) - 1
        return i >= 0 and self._merged[i][0] == version and self._merged[i][2] >= last


def cidrs(interval, min_prefix=0):
    """The fewest prefixes that cover exactly this interval: [(version, network, prefixlen)]."""
    version, first, last = interval
    bits = BITS[version]
    size = last - first + 1
    if not size & (size - 1) and not first & (size - 1) and size.bit_length() - 1 <= bits - min_prefix:
        return [(version, first, bits - size.bit_length() + 1)]  # already one prefix: the usual case
    max_size = 1 << (bits - min_prefix)
    result = []
    while first <= last:
        size = first & -first if first else 1 << bits
        size = min(size, max_size)
        while size > last - first + 1:
            size >>= 1
        result.append((version, first, bits - size.bit_length() + 1))
        first += size
    return result


def count_prefixes(intervals):
    """sum(prefix_count(i) for i in intervals), without a call per interval in the usual case."""
    total = 0
    for interval in intervals:
        size = interval[2] - interval[1] + 1
        if not size & (size - 1) and not interval[1] & (size - 1):
            total += 1
        else:
            total += len(cidrs(interval))
    return total


def prefix_count(interval):
    """len(cidrs(interval)), with a shortcut for the usual case of an interval that is one prefix."""
    version, first, last = interval
    size = last - first + 1
    if not size & (size - 1) and not first & (size - 1):
        return 1
    return len(cidrs(interval))


def cidr_sort_key(cidr):
    """Sort canonical CIDR strings as the collection does: IPv4 first, then by network, then shorter prefix first."""
    address, _slash, length = cidr.partition('/')
    version = 6 if ':' in address else 4
    return (version, address_int(version, address), int(length or BITS[version]))


def entry_text(prefix):
    """A prefix as ipset and firewalld write it: a single address without its /32 or /128."""
    version, network, length = prefix
    text = address_text(version, network)
    return text if length == BITS[version] else '%s/%d' % (text, length)


def cidr_text(prefix):
    version, network, length = prefix
    return '%s/%d' % (address_text(version, network), length)


def prefix_interval(prefix):
    version, network, length = prefix
    return (version, network, network | ((1 << (BITS[version] - length)) - 1))


def to_cidr_strings(merged, min_prefix=0):
    return [cidr_text(p) for interval in merged for p in cidrs(interval, min_prefix)]


def describe(interval):
    """Human form of one interval for messages: its CIDR if it is one, else `first-last`."""
    prefixes = cidrs(interval)
    if len(prefixes) == 1:
        return cidr_text(prefixes[0])
    return '%s-%s' % (address_text(interval[0], interval[1]), address_text(interval[0], interval[2]))
