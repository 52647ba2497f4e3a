# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The entry policy: which addresses may ever reach an allowlist, whoever supplied them.

This collection exists to narrow who can reach a service, so a feed, a DNS answer or
a variable must never widen an allowlist to the world. Every lookup, the
egress_ranges_info module and every address-set module check their entries here
before anything is returned or written.

- Always refused: the whole address space (`/0`), the unspecified address (the
  classic DNS sinkhole answer `0.0.0.0` / `::`), loopback, link-local, multicast,
  reserved ranges and IPv4-mapped IPv6. A module may accept `/0` itself with
  `allow_anywhere` (an Atlas access list's "allow all" entry is the one real case).
- Refused by default: prefixes wider than `min_prefixlen_v4` / `min_prefixlen_v6`,
  and private, CGNAT and ULA ranges from a *remote* source (fetched over HTTP(S) or
  resolved through DNS, whatever the host), unless `allow_private`.
- The documentation ranges are ordinary addresses.

Checks work on merged integer intervals (see _intervals.py), so 100,000 entries
cost a few bisections; only when something looks wrong are the entries scanned
one by one, to name the first bad one and where it came from.
"""

from __future__ import annotations

import bisect

from ansible_collections.allowlist.egress.plugins.module_utils import _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

DEFAULT_MIN_PREFIXLEN = {4: 8, 6: 16}


def _ranges(table, private=False):
    """[(interval, why, private)] sorted, from (cidr, why) pairs."""
    result = []
    for cidr, why in table:
        (interval,) = _intervals.parse(cidr)
        result.append((interval, why, private))
    result.sort()
    return result


# Never in an allowlist, from any source (IANA special-purpose address registries, RFC 6890).
REFUSED = _ranges([
    ('0.0.0.0/8', '"this network" 0.0.0.0/8 (with the unspecified address 0.0.0.0, the classic DNS sinkhole answer)'),
    ('127.0.0.0/8', 'the loopback range 127.0.0.0/8'),
    ('169.254.0.0/16', 'the link-local range 169.254.0.0/16'),
    ('224.0.0.0/4', 'the multicast range 224.0.0.0/4'),
    ('240.0.0.0/4', 'the reserved range 240.0.0.0/4 (with the broadcast address 255.255.255.255)'),
    ('::/96', '::/96 (the unspecified address ::, loopback ::1 and deprecated IPv4-compatible IPv6)'),
    ('::ffff:0:0/96', 'IPv4-mapped IPv6 ::ffff:0:0/96 (list the IPv4 address itself)'),
    # Behind a NAT64 gateway these stand for every IPv4 address of the internet.
    ('64:ff9b::/96', 'the NAT64 prefix 64:ff9b::/96 (list the IPv4 address itself)'),
    ('64:ff9b:1::/48', 'the local-use NAT64 prefix 64:ff9b:1::/48'),
    ('100::/64', 'the discard-only range 100::/64'),
    ('fe80::/10', 'the link-local range fe80::/10'),
    ('fec0::/10', 'the deprecated site-local range fec0::/10'),
    ('ff00::/8', 'the multicast range ff00::/8'),
])

# Not reachable from the internet: refused from a remote source unless allow_private.
PRIVATE = _ranges([
    ('10.0.0.0/8', 'the private range 10.0.0.0/8 (RFC 1918)'),
    ('100.64.0.0/10', 'the carrier-grade NAT range 100.64.0.0/10 (RFC 6598)'),
    ('172.16.0.0/12', 'the private range 172.16.0.0/12 (RFC 1918)'),
    ('192.0.0.0/24', 'the IETF protocol assignments 192.0.0.0/24, not globally routable'),
    ('192.168.0.0/16', 'the private range 192.168.0.0/16 (RFC 1918)'),
    ('198.18.0.0/15', 'the benchmarking range 198.18.0.0/15 (RFC 2544), not globally routable'),
    ('fc00::/7', 'the unique local range fc00::/7 (RFC 4193)'),
], private=True)

WHOLE_SPACE = {4: (4, 0, (1 << 32) - 1), 6: (6, 0, (1 << 128) - 1)}


def _overlapping(ranges, interval):
    version, first, last = interval
    for (s_version, s_first, s_last), why, private in ranges:
        if s_version == version and first <= s_last and s_first <= last:
            return (s_version, s_first, s_last), why, private
    return None


def tables():
    """The refused and private ranges as plain lists: part of the key of anything memoised after a policy check."""
    return [[list(interval) for interval, _why, _private in table] for table in (REFUSED, PRIVATE)]


def special_range(interval):
    """The description of the not globally routable range (refused or private) that `interval` overlaps, or None."""
    found = _overlapping(REFUSED, interval) or _overlapping(PRIVATE, interval)
    return found[1] if found else None


def private_range(interval):
    """The description of the private (not globally routable) range that `interval` overlaps, or None."""
    found = _overlapping(PRIVATE, interval)
    return found[1] if found else None


def check_min_prefixlen(value, version, where='min_prefixlen_v%d'):
    name = where % version
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _intervals.BITS[version]:
        raise EgressError('Invalid %s %r: use a prefix length from 0 to %d' % (name, value, _intervals.BITS[version]))
    return value


class EntryPolicy(object):
    """What a caller accepts; `remote` says the entries came over the network (HTTP or DNS)."""

    def __init__(self, remote, min_prefixlen_v4=None, min_prefixlen_v6=None, allow_private=False,
                 allow_anywhere=False, anywhere_hint=True):
        self.remote = bool(remote)
        self.anywhere_hint = anywhere_hint and not self.remote  # only modules have allow_anywhere
        self.min_prefixlen = {
            4: DEFAULT_MIN_PREFIXLEN[4] if min_prefixlen_v4 is None else check_min_prefixlen(min_prefixlen_v4, 4),
            6: DEFAULT_MIN_PREFIXLEN[6] if min_prefixlen_v6 is None else check_min_prefixlen(min_prefixlen_v6, 6),
        }
        # The most `last - first` one entry may span: one prefix of the minimum length.
        self._max_span = dict((v, (1 << (_intervals.BITS[v] - n)) - 1) for v, n in self.min_prefixlen.items())
        self.allow_private = bool(allow_private) or not self.remote
        self.allow_anywhere = bool(allow_anywhere)
        self._special = REFUSED if self.allow_private else sorted(REFUSED + PRIVATE)

    def problem(self, interval):
        """Why one entry's interval is refused, or None."""
        version, first, last = interval
        if interval == WHOLE_SPACE[version]:
            if self.allow_anywhere:
                return None
            return ('it is the whole IPv%d address space, which would allow every address%s'
                    % (version, '; set allow_anywhere=true if that is really meant' if self.anywhere_hint else ''))
        found = _overlapping(self._special, interval)
        if found:
            (_v, s_first, s_last), why, private = found
            inside = s_first <= first and last <= s_last
            return self._why('it is in' if inside else 'it overlaps', why, private)
        if last - first > self._max_span[version]:
            return ('it is wider than /%d (min_prefixlen_v%d), wider than any range a platform publishes; set '
                    'min_prefixlen_v%d lower if it is really meant' % (self.min_prefixlen[version], version, version))
        return None

    @staticmethod
    def _why(relation, why, private):
        if not private:
            return '%s %s, which never belongs in an allowlist' % (relation, why)
        return ('%s %s, and a list fetched over the network or resolved through DNS must not open the firewall to '
                'private addresses; set allow_private=true if this publisher really lists them' % (relation, why))

    def suspect(self, merged):
        """True when the merged, sorted intervals may hold a refused entry (then scan the entries)."""
        span = self._max_span
        for version, first, last in merged:
            if last - first > span[version]:
                return True
        for (s_version, s_first, s_last), _why, _private in self._special:
            i = bisect.bisect_left(merged, (s_version, s_first, s_first))
            # The interval before the special range may reach into it; the one at i may start inside it.
            for j in (i - 1, i):
                if 0 <= j < len(merged):
                    version, first, last = merged[j]
                    if version == s_version and first <= s_last and s_first <= last:
                        return True
        return False

    def check(self, merged, entries):
        """Raise EgressError naming the first refused entry.

        `merged`: all the entries' intervals, merged and sorted (for the quick test).
        `entries`: a callable that yields (text, where, intervals) for each entry, in order (for the message).
        """
        if not self.suspect(merged):
            return
        for text, where, intervals in entries():
            for interval in intervals:
                why = self.problem(interval)
                if why:
                    raise EgressError('Refusing %s%s: %s. Nothing was changed.'
                                      % (_show(text, interval), ' from %s' % where if where else '', why))

    def check_intervals(self, intervals, where):
        """Check (text, interval) pairs from one place, e.g. one document of a source."""
        items = list(intervals)
        merged = _intervals.merge(i for _t, i in items)
        self.check(merged, lambda: ((text, where, [interval]) for text, interval in items))


def _show(text, interval):
    """The entry as written, and its canonical form when that says more."""
    canonical = _intervals.describe(interval)
    text = text.strip() if isinstance(text, str) else repr(text)
    if text in (canonical, canonical.rsplit('/', 1)[0]) and canonical.endswith(('/32', '/128')) or text == canonical:
        return text
    return '%s (%s)' % (text[:80], canonical)


def module_policy(params):
    """The policy of an address-set module: its own `addresses` may hold private ranges."""
    return EntryPolicy(remote=False, min_prefixlen_v4=params.get('min_prefixlen_v4'),
                       min_prefixlen_v6=params.get('min_prefixlen_v6'), allow_anywhere=params.get('allow_anywhere'))


def argument_spec(remote):
    """Policy options: every module and lookup takes the prefix limits; remote ones allow_private, local allow_anywhere."""
    spec = dict(min_prefixlen_v4=dict(type='int', default=DEFAULT_MIN_PREFIXLEN[4]),
                min_prefixlen_v6=dict(type='int', default=DEFAULT_MIN_PREFIXLEN[6]))
    if remote:
        spec['allow_private'] = dict(type='bool', default=False)
    else:
        spec['allow_anywhere'] = dict(type='bool', default=False)
    return spec
