# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The contract every address-object backend of this collection follows.

A backend (an nftables set, an ipset, a cloud prefix list, an access list) only
knows how to read its entries, apply a plan, remove itself and render a batch.
Everything users rely on to be the same everywhere lives here: the states,
canonical comparison, `max_removals`, check mode, diff, locking, `persist`,
and the returned keys.

Entries are compared as address *space* per comment, never as strings, so a
kernel that merges two /25 into one /24 (or stores a range) still compares
equal to the list that produced it, and a second run reports no change.
"""

from __future__ import annotations

import gc
import itertools
import os
import re
import unicodedata
from collections import OrderedDict, namedtuple
from fractions import Fraction

from ansible_collections.allowlist.egress.plugins.module_utils import _entry_policy, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import AddressError, EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._files import PendingFile, lock, persist_target, read_text

STATES = ('replaced', 'merged', 'deleted', 'gathered', 'rendered', 'absent')
# States that can add entries, so the entry policy and the growth guard apply.
ADDING_STATES = ('replaced', 'merged', 'rendered')
DEFAULT_MAX_REMOVALS = '50%'
DEFAULT_LOCK_TIMEOUT = 300.0
# Results are read by people and registered by pipelines: counts always, entry lists up to this many.
DEFAULT_LIST_LIMIT = 100
# How many addresses the result's `invocation` echoes.
INVOCATION_ADDRESSES = 10


def argument_spec(persist=True):
    """Options shared by every backend (documented in the allowlist.egress.address_set doc fragment)."""
    spec = dict(
        addresses=dict(type='list', elements='raw', default=[]),
        entry_comment=dict(type='str'),
        state=dict(type='str', default='replaced', choices=list(STATES)),
        strict=dict(type='bool', default=False),
        max_removals=dict(type='str', default=DEFAULT_MAX_REMOVALS),
        max_additions=dict(type='str'),
        force=dict(type='bool', default=False),
        persist=dict(type='path'),
        lock_timeout=dict(type='float', default=DEFAULT_LOCK_TIMEOUT),
        lock_file=dict(type='path'),
        list_limit=dict(type='int', default=DEFAULT_LIST_LIMIT),
        return_commands=dict(type='bool', default=False),
    )
    spec.update(_entry_policy.argument_spec(remote=False))
    if not persist:
        del spec['persist']
    return spec


# What a backend read: whether the object exists, its elements (Element) and its properties.
Current = namedtuple('Current', 'exists elements properties')

MISSING = Current(False, [], {})


class Element(namedtuple('Element', 'version first last comment token')):
    """One entry as the backend stores it; `token` is whatever the backend needs to delete it."""

    __slots__ = ()

    @property
    def interval(self):
        return (self.version, self.first, self.last)


class Desired(object):
    """The wanted entries: merged intervals per comment, in first-seen comment order.

    When entries overlap, the first entry (and so its comment) wins.
    """

    def __init__(self, groups):
        self.groups = groups

    @property
    def versions(self):
        return sorted(set(i[0] for group in self.groups.values() for i in group))

    def all(self):
        return _intervals.merge(i for group in self.groups.values() for i in group)

    def first_of_version(self, version):
        for group in self.groups.values():
            for interval in group:
                if interval[0] == version:
                    return _intervals.describe(interval)
        return None


def check_one_family(desired, holds, split):
    """A kernel set holds one address family; say how to split a list that mixes them."""
    if len(desired.versions) > 1:
        raise EgressError(
            'The addresses mix IPv4 and IPv6 (for example %s and %s), but %s. Sync two sets, %s, e.g. addresses: '
            '"{{ list | ansible.utils.ipv4 }}" and "{{ list | ansible.utils.ipv6 }}", or the egress_ranges lookup with '
            'ip_version=4 and ip_version=6.' % (desired.first_of_version(4), desired.first_of_version(6), holds, split))


HOST_EXPANSION_MAX = 65536
# All entries together: past this, expanding CIDRs into single addresses would exhaust memory, not fill a set.
HOST_EXPANSION_TOTAL_MAX = 1 << 20


def check_expandable(desired, why):
    """Sets of single addresses get CIDRs expanded; refuse what would not fit a sane set."""
    total = 0
    for group in desired.groups.values():
        for interval in group:
            size = interval[2] - interval[1] + 1
            if size > HOST_EXPANSION_MAX:
                raise EgressError('%s; %s is too wide to expand' % (why, _intervals.describe(interval)))
            total += size
    if total > HOST_EXPANSION_TOTAL_MAX:
        raise EgressError('%s; the entries expand to %d single addresses, more than %d'
                          % (why, total, HOST_EXPANSION_TOTAL_MAX))


def _group_parts(entry, source, index):
    """A `{addresses: [...], comment}` entry: many addresses that share a comment, as the sync pipeline sends them."""
    unknown = sorted(set(entry) - set(('addresses', 'comment', 'description')))
    if unknown or not isinstance(entry['addresses'], list):
        raise EgressError('Invalid entry at %s[%d]: a dict entry with "addresses" needs a list there and may have '
                          '"comment"%s' % (source, index, ' (unknown: %s)' % ', '.join(unknown) if unknown else ''))
    comment = entry.get('comment', entry.get('description'))
    return entry['addresses'], (None if comment is None else str(comment))


def iter_entries(entries, source='addresses'):
    """(address, comment, where) for every address of `entries`, groups expanded (for messages, off the fast path)."""
    for index, entry in enumerate(entries or []):
        if isinstance(entry, dict) and 'addresses' in entry:
            addresses, comment = _group_parts(entry, source, index)
            for inner, address in enumerate(addresses):
                yield address, comment, '%s[%d].addresses[%d]' % (source, index, inner)
        else:
            address, comment = _entry_parts(entry, source, index)
            yield address, comment, '%s[%d]' % (source, index)


def _entry_parts(entry, source, index):
    if isinstance(entry, dict):
        unknown = sorted(set(entry) - set(('address', 'comment', 'description')))
        if unknown or 'address' not in entry:
            raise EgressError('Invalid entry %r at %s[%d]: a dict entry needs the key "address" (or "addresses", '
                              'a list) and may have "comment"%s' % (entry, source, index, ' (unknown: %s)' % ', '.join(unknown) if unknown else ''))
        comment = entry.get('comment', entry.get('description'))
        return entry['address'], (None if comment is None else str(comment))
    return entry, None


# Bidirectional controls reorder how a comment is displayed (U+202E makes "evil" read as "live"), so a
# reviewer of a diff or `nft list` would not see what is stored.
_BIDI_CONTROLS = frozenset('\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069')


def check_comment_text(comment, where):
    """Refuse what no backend should store in a comment: control, bidi and line-separator characters.

    Shared by every backend; each backend checks its own length limit after this.
    """
    for ch in comment:
        category = unicodedata.category(ch)
        # Cc: C0, DEL and C1 controls (newline and tab included); Zl/Zp: line and paragraph separators;
        # Cs: lone surrogates, which cannot be encoded in UTF-8 at all.
        if category in ('Cc', 'Zl', 'Zp', 'Cs') or ch in _BIDI_CONTROLS:
            raise EgressError('Invalid comment %r at %s: it holds U+%04X (%s); comments may not hold control, '
                              'bidirectional-override or line-separator characters'
                              % (comment, where, ord(ch), unicodedata.name(ch, category)))


def parse_desired(entries, source='addresses', strict=False, warn=None, default_comment=None, check_comment=None):
    """Parse IP/CIDR/range strings or `{address, comment}` dicts into a Desired set.

    Errors name the entry and where it came from (`source[index]`, or `entry_comment`).
    """
    checked = set()

    def check(comment, where):
        # Each distinct comment once: a list of 100,000 entries often shares one entry_comment.
        if comment not in checked:
            check_comment_text(comment, where)
            if check_comment:
                check_comment(comment, where)
            checked.add(comment)

    if default_comment is not None:
        check(default_comment, 'entry_comment')
    raw = OrderedDict()
    parse, parse_plain = _intervals.parse, _intervals.parse_plain
    for index, entry in enumerate(entries or []):
        if entry.__class__ is str and default_comment is None:
            # The usual entry, first: a plain address or CIDR without comment (100,000 of them per sync).
            interval = parse_plain(entry)
            if interval is not None:
                group = raw.get(None)
                if group is None:
                    group = raw[None] = []
                group.append(interval)
                continue
        if isinstance(entry, dict) and 'addresses' in entry:
            addresses, comment = _group_parts(entry, source, index)
            if comment is None:
                comment = default_comment
            if comment is not None:
                check(comment, '%s[%d]' % (source, index))
            group = raw.get(comment)
            if group is None:
                group = raw[comment] = []
            for inner, address in enumerate(addresses):
                interval = parse_plain(address) if address.__class__ is str else None
                if interval is not None:
                    group.append(interval)
                    continue
                try:
                    group.extend(parse(address, strict=True))
                except AddressError:
                    group.extend(parse(address, source='%s[%d].addresses[%d]' % (source, index, inner), strict=strict,
                                       warn=warn))
            continue
        if isinstance(entry, str) and default_comment is None:
            comment = None
            try:
                intervals = parse(entry, strict=True)
            except AddressError:
                # Again with where it came from: for the message, or for a lenient normalisation with warning.
                intervals = parse(entry, source='%s[%d]' % (source, index), strict=strict, warn=warn)
        else:
            address, comment = _entry_parts(entry, source, index)
            if comment is None:
                comment = default_comment
            where = '%s[%d]' % (source, index)
            if comment is not None:
                check(comment, where)
            intervals = parse(address, source=where, strict=strict, warn=warn)
        group = raw.get(comment)
        if group is None:
            group = raw[comment] = []
        group.extend(intervals)
    groups = OrderedDict()
    covered = []
    for comment, intervals in raw.items():
        merged = _intervals.merge(intervals)
        if covered:
            merged = _intervals.subtract(merged, covered)
            covered = _intervals.merge(covered + merged)
        else:
            covered = list(merged)
        if merged:
            groups[comment] = merged
    return Desired(groups)


def _group(elements):
    groups = OrderedDict()
    for e in elements:
        groups.setdefault(e.comment, []).append(e.interval)
    return OrderedDict((c, _intervals.merge(v)) for c, v in groups.items())


class Plan(object):
    """What a sync changes: elements to delete, prefixes to add, and the address-level summary.

    Built for 100,000 entries per run: it works on merged integer intervals and
    formats text (the diff, the entry lists) only when asked.
    """

    def __init__(self, current, target_groups, min_prefix=0, host_only=False):
        self.target_groups = target_groups
        self.min_prefix = min_prefix
        self.host_only = host_only
        self.before_groups = _group(current)
        before_all = _union(self.before_groups)
        after_all = _union(target_groups)
        self.keep, self.delete = [], []
        if dict(self.before_groups) == dict(target_groups):
            self.keep = list(current)
            kept = self.before_groups
        elif current:
            lookups = dict((c, _intervals.Lookup(g)) for c, g in target_groups.items())
            for e in current:
                lookup = lookups.get(e.comment)
                (self.keep if lookup is not None and lookup.covers(e.interval) else self.delete).append(e)
            kept = _group(self.keep) if self.delete else self.before_groups
        else:
            kept = self.before_groups  # nothing current: nothing to keep or delete
        self.add = []
        self._target_prefixes = None
        for comment, group in target_groups.items():
            have = kept.get(comment)
            if have == group:
                continue
            missing = _intervals.subtract(group, have) if have else group
            self.add.extend((prefix, comment) for prefix in self._all_prefixes(missing))
        if not kept:
            # Nothing kept: what is added is the whole object, in target_prefixes() order (not computed twice).
            self._target_prefixes = self.add
        # What stops and starts being allowed: the address space, formatted as CIDRs only as far as asked.
        if before_all == after_all:
            self.removed_space = self.added_space = []
        else:
            self.removed_space = _intervals.subtract(before_all, after_all)
            self.added_space = _intervals.subtract(after_all, before_all)
        self._before_count = self._after_count = self._address_counts = None

    @property
    def added(self):
        """Every canonical CIDR that starts matching (changes() formats only the first ones)."""
        return self.changes('added')

    @property
    def removed(self):
        return self.changes('removed')

    def changes(self, kind, limit=None):
        """The first `limit` (None: all) canonical CIDRs that start ('added') or stop ('removed') matching."""
        space = self.added_space if kind == 'added' else self.removed_space
        texts = (_intervals.cidr_text(p) for interval in space for p in _intervals.cidrs(interval))
        return list(itertools.islice(texts, limit))

    def change_comments(self, kind, limit=None):
        """The comment of each of the first `limit` CIDRs of changes(kind): the entry it came from (an entry of
        the new list for 'added', of the old one for 'removed'); None when it spans entries of several comments.

        In the egress_sync pipeline a comment names a source, so a plan report can say where each change comes from.
        """
        groups = self.target_groups if kind == 'added' else self.before_groups
        lookups = [(comment, _intervals.Lookup(merged)) for comment, merged in groups.items()]
        space = self.added_space if kind == 'added' else self.removed_space
        prefixes = itertools.islice((p for interval in space for p in _intervals.cidrs(interval)), limit)
        result = []
        for prefix in prefixes:
            interval = _intervals.prefix_interval(prefix)
            found = [comment for comment, lookup in lookups if lookup.covers(interval)]
            result.append(found[0] if len(found) == 1 else None)
        return result

    def change_count(self, kind):
        return _intervals.count_prefixes(self.added_space if kind == 'added' else self.removed_space)

    def address_counts(self):
        """For the guards: {version: (addresses before, addresses that stop matching, addresses that start)}.

        Counted in addresses, not entries: a /24 that goes counts 256, however the backend stored it.
        """
        if self._address_counts is None:
            before = _union(self.before_groups) if self.before_groups else []
            self._address_counts = dict(
                (version, (_size(before, version), _size(self.removed_space, version), _size(self.added_space, version)))
                for version in (4, 6))
        return self._address_counts

    def _all_prefixes(self, intervals):
        """The prefixes the backend writes for these intervals, in order (single addresses when host_only)."""
        bits, min_prefix, cidrs = _intervals.BITS, self.min_prefix, _intervals.cidrs
        result = []
        for interval in intervals:
            version, first, last = interval
            if self.host_only:
                result.extend((version, value, bits[version]) for value in range(first, last + 1))
                continue
            size = last - first + 1
            if not size & (size - 1) and not first & (size - 1) and size.bit_length() - 1 <= bits[version] - min_prefix:
                result.append((version, first, bits[version] - size.bit_length() + 1))  # one prefix: the usual case
            else:
                result.extend(cidrs(interval, min_prefix))
        return result

    def target_prefixes(self):
        """Every (prefix, comment) the object holds after the sync, as the backend writes them."""
        if self._target_prefixes is None:
            self._target_prefixes = [(prefix, comment) for comment, group in self.target_groups.items()
                                     for prefix in self._all_prefixes(group)]
        return self._target_prefixes

    @property
    def changed(self):
        return bool(self.delete or self.add)

    @property
    def before_entries(self):
        return entries_of(self.before_groups)

    @property
    def after_entries(self):
        return entries_of(self.target_groups)

    def before_count(self):
        if self._before_count is None:
            self._before_count = _count(self.before_groups)
        return self._before_count

    def after_count(self):
        if self._after_count is None:
            self._after_count = _count(self.target_groups)
        return self._after_count


def _union(groups):
    if len(groups) == 1:
        return next(iter(groups.values()))
    return _intervals.merge(i for g in groups.values() for i in g)


def _size(merged, version):
    return sum(last - first + 1 for v, first, last in merged if v == version)


def _count(groups):
    """Number of canonical entries (prefixes), without formatting them."""
    return sum(_intervals.count_prefixes(g) for g in groups.values())


def _prefix_pairs(groups):
    pairs = [(prefix, comment) for comment, group in groups.items()
             for interval in group for prefix in _intervals.cidrs(interval)]
    pairs.sort(key=lambda p: (p[0], p[1] or ''))
    return pairs


def entries_of(groups):
    """Canonical (cidr, comment) pairs of grouped intervals, sorted like every list in this collection."""
    return [(_intervals.cidr_text(p), c) for p, c in _prefix_pairs(groups)]


def target_groups(state, current, desired):
    """The groups the backend must hold after a sync in `state`."""
    if state == 'replaced':
        return desired.groups
    current_groups = _group(current)
    if state == 'merged':
        covered = desired.all()
        groups = OrderedDict(desired.groups)
        for comment, group in current_groups.items():
            rest = _intervals.subtract(group, covered)
            if rest:
                groups[comment] = _intervals.merge(groups.get(comment, []) + rest)
        return groups
    if state == 'deleted':
        gone = desired.all()
        groups = OrderedDict()
        for comment, group in current_groups.items():
            rest = _intervals.subtract(group, gone)
            if rest:
                groups[comment] = rest
        return groups
    raise EgressError('No target for state %s' % state)


# ASCII digits only: str.isdigit() and \d also accept "²" or "٥", which int() and float() then refuse or misread.
_COUNT = re.compile(r'[0-9]+\Z')
_PERCENT = re.compile(r'([0-9]+(?:\.[0-9]+)?) *%\Z')


def guard_limit(name, value, before):
    """How many addresses a guard allows: `value` is a count (100) or a percentage of `before` ("50%").

    A percentage above 100 allows more than there is, like 100% for removals.
    """
    text = str(value).strip()
    try:
        if _COUNT.match(text):
            return int(text)
        match = _PERCENT.match(text)
        if match:
            # Exact arithmetic: a float of a long digit string overflows to inf.
            return int(before * Fraction(match.group(1)) / 100)
    except ValueError:
        pass  # more digits than Python converts (4,300): refused below like any other bad value
    raise EgressError('Invalid %s %r: use a number of addresses such as 100 or a percentage such as "50%%" '
                      '(ASCII digits, not negative)' % (name, value))


def removal_limit(max_removals, before_count):
    return guard_limit('max_removals', max_removals, before_count)


def _family_word(version):
    return 'IPv%d' % version


def check_removals(plan, max_removals, force, what):
    """Refuse a sync that makes more addresses stop matching than max_removals allows (per family)."""
    guard_limit('max_removals', max_removals, 0)  # a bad value is an error even when nothing is removed
    if not plan.removed_space or force:
        return
    for version, (before, removed, _added) in sorted(plan.address_counts().items()):
        limit = guard_limit('max_removals', max_removals, before)
        if removed > limit:
            raise EgressError(
                'Refusing to remove %d of %d %s addresses from %s: more than max_removals=%s allows (%d). '
                'An empty or broken source must not wipe an allowlist; if this is intended, raise max_removals or '
                'set force=true. First removals: %s'
                % (removed, before, _family_word(version), what, max_removals, limit, ', '.join(plan.changes('removed', 5))))


def check_additions(plan, max_additions, force, what):
    """Refuse a sync that makes more addresses start matching than max_additions allows (per family).

    A feed that suddenly grows is as suspicious as one that shrinks. A family that holds nothing yet
    (a new or empty object) is never blocked: the first sync is the one a reviewer reads in full.
    """
    if max_additions is None or str(max_additions).strip() == '':
        return
    guard_limit('max_additions', max_additions, 0)
    if not plan.added_space or force:
        return
    for version, (before, _removed, added) in sorted(plan.address_counts().items()):
        limit = guard_limit('max_additions', max_additions, before)
        if before and added > limit:
            raise EgressError(
                'Refusing to add %d %s addresses to the %d in %s: more than max_additions=%s allows (%d). '
                'A source that suddenly grows may be compromised or broken; if this is intended, raise '
                'max_additions or set force=true. First additions: %s'
                % (added, _family_word(version), before, what, max_additions, limit, ', '.join(plan.changes('added', 5))))


def check_policy(policy, desired, entries, source):
    """Apply the entry policy to the wanted entries, naming the first refused one as `source[index]`."""
    def scan():
        for address, _comment, where in iter_entries(entries, source):
            yield address, where, _intervals.parse(address, strict=False)
    policy.check(_union(desired.groups) if desired.groups else [], scan)


def entry_lines(entries):
    return ''.join('%s  # %s\n' % (a, c) if c else '%s\n' % a for a, c in entries)


def diff(plan, header):
    return dict(before=entry_lines(plan.before_entries), after=entry_lines(plan.after_entries),
                before_header='%s (before)' % header, after_header='%s (after)' % header)


def gathered(entries):
    return [dict(address=a, comment=c) for a, c in entries]


def sync(backend, params, check_mode=False, want_diff=False, warn=None, verbosity=0):
    """Run one sync of `backend` with the shared options in `params`; return the module result.

    The result is sized for people and pipelines (see sized_result): `want_diff` and `verbosity` (the
    number of -v) ask for the full lists, and -vvv for the batch too.
    """
    limit = entry_list_limit(params, want_diff, verbosity)
    result = _sync(backend, params, check_mode, want_diff, warn, limit)
    return sized_result(result, params, limit, verbosity)


def entry_list_limit(params, want_diff=False, verbosity=0):
    """How many entries of `added` and `removed` a result holds: all (None) with --diff or -vv, else list_limit."""
    value = params.get('list_limit')
    if value is None:
        value = DEFAULT_LIST_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EgressError('Invalid list_limit %r: a number of entries, 0 or more' % (value,))
    return None if want_diff or verbosity >= 2 else value


def sized_result(result, params, limit, verbosity=0):
    """Counts always; `added`/`removed` cut to `limit` entries (see entry_list_limit); the batch (`commands`)
    only with return_commands, -vvv or state=rendered.

    A sync of 100,000 entries would otherwise return megabytes that Ansible serialises, scrubs, pickles and
    copies several times, which costs more than the sync itself.
    """
    truncated = False
    for key in ('added', 'removed'):
        entries = result.get(key) or []
        count = result.setdefault(key + '_count', len(entries))
        if limit is not None and len(entries) > limit:
            result[key] = entries = entries[:limit]
            if key + '_comments' in result:
                result[key + '_comments'] = result[key + '_comments'][:limit]
        truncated = truncated or len(entries) < count
    result['lists_truncated'] = truncated
    if not (params.get('return_commands') or verbosity >= 3 or params.get('state') == 'rendered'):
        result.pop('commands', None)
    return result


def invocation(params, keep=INVOCATION_ADDRESSES):
    """The `invocation` a result echoes: the module's arguments with `addresses` cut to its first entries.

    AnsibleModule would echo all of them: at 100,000 addresses that echo is most of the result, and the
    controller pickles and copies it again after the module has scrubbed it.
    """
    args = dict(params)
    addresses = args.get('addresses')
    if isinstance(addresses, list) and len(addresses) > keep:
        args['addresses'] = addresses[:keep] + ['(%d more, %d in all)' % (len(addresses) - keep, len(addresses))]
    return dict(module_args=args)


def run_module(module, make_backend, params=None):
    """What the main() of every module built on this contract does, with an AnsibleModule.

    `make_backend()` builds the backend (its errors are reported like the sync's); `params` defaults to
    module.params.
    """
    echo = invocation(module.params)
    # A sync allocates a few objects per entry and frees them with the process: the collector's passes over
    # 100,000 live tuples would find no cycle and cost a fifth of the module's time.
    gc.disable()
    try:
        result = sync(make_backend(), module.params if params is None else params, check_mode=module.check_mode,
                      want_diff=module._diff, warn=module.warn, verbosity=module._verbosity)
    except EgressError as error:
        module.fail_json(msg=str(error), invocation=echo)
    finally:
        gc.enable()
    module.exit_json(invocation=echo, **result)


def _changes(plan, limit):
    return dict(added=plan.changes('added', limit), removed=plan.changes('removed', limit),
                added_comments=plan.change_comments('added', limit),
                removed_comments=plan.change_comments('removed', limit),
                added_count=plan.change_count('added'), removed_count=plan.change_count('removed'))


def guard_verdicts(plan, max_removals, max_additions, force, replaced=True):
    """What the guards made of a sync that they let through, per family, for a plan report.

    [{guard, value, family, before, changed, limit, verdict}]: verdict `ok` (within the limit), `forced` (over it,
    let through by force), `new` (max_additions never blocks a new or empty object) or `off` (guard not set).
    A refused sync raises in check_removals / check_additions instead, and has no result.
    """
    result = []
    counts = plan.address_counts()
    guards = ((('max_removals', max_removals, 1),) if replaced else ()) + (('max_additions', max_additions, 2),)
    for name, value, index in guards:
        if value is None or str(value).strip() == '':
            result.append(dict(guard=name, value=None, family=None, before=None, changed=None, limit=None,
                               verdict='off'))
            continue
        for version, numbers in sorted(counts.items()):
            before, changed = numbers[0], numbers[index]
            if not before and not changed:
                continue  # a family this object does not hold
            limit = guard_limit(name, value, before)
            if name == 'max_additions' and not before:
                verdict = 'new'
            elif changed > limit:
                verdict = 'forced'
            else:
                verdict = 'ok'
            result.append(dict(guard=name, value=str(value), family=version, before=before, changed=changed,
                               limit=limit, verdict=verdict))
    return result


def _sync(backend, params, check_mode, want_diff, warn, limit=None):
    state = backend.state = params['state']
    desired = parse_desired(params.get('addresses'), source='addresses', strict=params.get('strict', False), warn=warn,
                            default_comment=params.get('entry_comment'), check_comment=backend.check_comment)
    if state in ADDING_STATES:
        check_policy(_entry_policy.module_policy(params), desired, params.get('addresses'), 'addresses')
    if state == 'rendered':
        backend.prepare(None, desired)
        plan = Plan([], desired.groups, backend.min_prefix, backend.host_only)
        commands = backend.commands(None, plan)
        return dict(changed=False, rendered='\n'.join(commands) + '\n', commands=commands, before_count=0,
                    after_count=plan.after_count(), **_changes(plan, limit))
    persist = params.get('persist')
    target = persist_target(persist, check_mode, warn) if persist and state != 'gathered' else None
    with lock(params.get('lock_file') or backend.lock_path(), params.get('lock_timeout', DEFAULT_LOCK_TIMEOUT), create=not check_mode):
        current = backend.read()
        if state == 'gathered':
            entries = entries_of(_group(current.elements)) if current.exists else []
            return dict(changed=False, exists=current.exists, gathered=gathered(entries), commands=[], added=[],
                        removed=[], before_count=len(entries), after_count=len(entries))
        if state == 'absent':
            return _absent(backend, current, check_mode, want_diff, params.get('persist'))
        backend.prepare(current, desired)
        plan = Plan(current.elements if current.exists else [], target_groups(state, current.elements, desired),
                    backend.min_prefix, backend.host_only)
        force = params.get('force', False)
        if state == 'replaced':
            check_removals(plan, params.get('max_removals', DEFAULT_MAX_REMOVALS), force, backend.describe())
        check_additions(plan, params.get('max_additions'), force, backend.describe())
        commands = backend.commands(current, plan)
        result = dict(changed=bool(commands), commands=commands, before_count=plan.before_count(),
                      after_count=plan.after_count(), **_changes(plan, limit))
        result['guards'] = guard_verdicts(plan, params.get('max_removals', DEFAULT_MAX_REMOVALS),
                                          params.get('max_additions'), force, state == 'replaced')
        pending = None
        persist_text = backend.persist_text(plan) if target else None
        if target and read_text(target) != persist_text:
            result['changed'] = True
            result['persisted'] = persist
            # The whole file is written next to its target and checked before the kernel is touched, and
            # renamed into place only after the kernel took the change: a boot never loads a file that fails.
            if check_mode:
                note = backend.validate_persist(persist_text, None)
            else:
                pending = PendingFile(target, persist_text)
                try:
                    note = backend.validate_persist(persist_text, pending.tmp)
                except BaseException:
                    pending.discard()
                    raise
            if note and warn:
                warn(note)
        try:
            if commands and not check_mode:
                backend.apply(current, plan)
            if pending is not None:
                pending.commit()
        finally:
            if pending is not None:
                pending.discard()
        if want_diff:
            result['diff'] = diff(plan, backend.describe())
        result.update(backend.facts(current, plan))
        return result


def _absent(backend, current, check_mode, want_diff, persist=None):
    before = entries_of(_group(current.elements)) if current.exists else []
    result = dict(changed=current.exists, commands=[], added=[], removed=[e[0] for e in before],
                  before_count=len(before), after_count=0)
    if current.exists:
        result['commands'] = backend.remove_commands(current)
        if not check_mode:
            backend.remove(current)
    if persist and os.path.lexists(persist):
        result['changed'] = True
        result['persisted'] = persist
        if not check_mode:
            os.unlink(persist)
    if want_diff:
        result['diff'] = dict(before=entry_lines(before), after='', before_header=backend.describe(),
                              after_header='%s (absent)' % backend.describe())
    return result
