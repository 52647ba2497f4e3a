# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nftables backend: one named set of IPv4 or IPv6 addresses.

Reads and writes go through `nft -j -f -` (JSON on stdin): names that are nft
keywords (`set`, `ip`, `counter`) work, and nothing from input is parsed as nft
syntax. Every write is one batch, which the kernel commits as one transaction,
so packets see the old set or the new one, never a half-filled one.
`commands` and `rendered` show the same batch in nft syntax for review.
"""

from __future__ import annotations

import json

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _files, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target, TargetInfo
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._address_set import (
    MISSING, Current, check_expandable, check_one_family,
)
from ansible_collections.allowlist.egress.plugins.module_utils.targets._commands import (
    check_comment, check_name, isolated, isolation_failed,
)

FAMILIES = ('ip', 'ip6', 'inet', 'bridge', 'netdev')
DEFAULT_FAMILY = 'inet'
TYPES = {'ipv4_addr': 4, 'ipv6_addr': 6}
TYPE_OF_VERSION = {4: 'ipv4_addr', 6: 'ipv6_addr'}
# The kernel's NFT_NAME_MAXLEN is 256 with the terminating NUL.
NAME_PATTERN = r'^[A-Za-z_][A-Za-z0-9_.-]*$'
NAME_RULE = ('1 to 255 characters: a letter or underscore, then letters, digits, "_", "." or "-" '
             '(nft identifiers; anything else is refused before nft runs)')
COMMENT_MAX = 128  # bytes: nft's parser refuses longer set and element comments (its JSON input does not)

# nft 1.0 deletes an element from an interval set in time proportional to the
# set's size (measured here: 100 deletions from 100,000 entries take 13 s, a
# flush and re-add of all 100,000 in one transaction 0.8 s). Flush + add, still
# one transaction, is chosen when deletions x size outweighs re-adding what stays.
FLUSH_WEIGHT = 7


def argument_spec():
    spec = _address_set.argument_spec()
    spec.update(
        family=dict(type='str', default=DEFAULT_FAMILY, choices=list(FAMILIES)),
        table=dict(type='str', required=True),
        set=dict(type='str', required=True),
        type=dict(type='str', choices=list(TYPES)),
        create=dict(type='bool', default=True),
        comment=dict(type='str'),
    )
    return spec


class NftablesSet(Target):

    TARGET_INFO = TargetInfo('allowlist.egress.nftables_set', name_option='set', family_option='type',
                             family_values={4: 'ipv4_addr', 6: 'ipv6_addr'}, persist=True)

    def __init__(self, run, family=DEFAULT_FAMILY, table=None, name=None, set_type=None, create=True, comment=None):
        if family not in FAMILIES:
            raise EgressError('Invalid family %r: use one of %s' % (family, ', '.join(FAMILIES)))
        if set_type is not None and set_type not in TYPES:
            raise EgressError('Invalid type %r: use ipv4_addr or ipv6_addr' % (set_type,))
        self.run = run
        self.family = family
        self.table = check_name(table, 'table name', NAME_PATTERN, 255, NAME_RULE)
        self.name = check_name(name, 'set name', NAME_PATTERN, 255, NAME_RULE)
        self.requested_type = set_type
        self.create = create
        self.comment = comment
        if comment is not None:
            check_comment(comment, 'comment', COMMENT_MAX)
        self.type = None
        self.flags = ['interval']
        self.set_comment = comment
        self._batch = None
        self._create_text = None
        self._declaration = None

    # -- identity ---------------------------------------------------------
    def describe(self):
        return 'nftables set %s %s %s' % (self.family, self.table, self.name)

    def lock_path(self):
        return _files.default_lock_path('nftables_set', self.family, self.table, self.name)

    @staticmethod
    def check_comment(comment, where):
        check_comment(comment, where, COMMENT_MAX)

    # -- talking to nft ---------------------------------------------------
    def _nft(self, commands, what):
        rc, out, err = self.run(['nft', '-j', '-f', '-'], data=json.dumps({'nftables': commands}))
        if rc != 0:
            raise EgressError('nft failed to %s %s: %s' % (what, self.describe(), (err or out).strip()))
        return out

    def _ref(self):
        return {'family': self.family, 'table': self.table, 'name': self.name}

    def read(self):
        rc, out, err = self.run(['nft', '-j', '-f', '-'], data=json.dumps({'nftables': [{'list': {'set': self._ref()}}]}))
        if rc != 0:
            if 'No such file or directory' in err:
                return MISSING._replace(properties={'table_exists': self._table_exists()})
            raise EgressError('nft failed to read %s: %s' % (self.describe(), err.strip()))
        sets = [item['set'] for item in json.loads(out)['nftables'] if 'set' in item]
        if len(sets) != 1:
            raise EgressError('nft returned %d sets for %s' % (len(sets), self.describe()))
        found = sets[0]
        set_type = found.get('type')
        # A concatenation (ipv4_addr . inet_service) comes as a list.
        if not isinstance(set_type, str) or set_type not in TYPES:
            shown = ' . '.join(str(t) for t in set_type) if isinstance(set_type, list) else str(set_type)
            raise EgressError('%s has type %s; this module manages ipv4_addr and ipv6_addr sets only, so nothing '
                              'was changed' % (self.describe(), shown))
        flags = found.get('flags', [])
        if isinstance(flags, str):
            flags = [flags]
        if 'timeout' in flags or 'dynamic' in flags:
            raise EgressError('%s has the flags %s: entries that expire or that rules add are not an allowlist this '
                              'module can own' % (self.describe(), ', '.join(flags)))
        version = TYPES[set_type]
        elements = [self._element(version, item) for item in found.get('elem', [])]
        properties = dict(type=set_type, flags=flags, comment=found.get('comment'), table_exists=True)
        return Current(True, elements, properties)

    def _element(self, version, item):
        comment = None
        value = item
        if isinstance(item, dict) and 'elem' in item:
            comment = item['elem'].get('comment')
            value = item['elem']['val']
        if isinstance(value, str):
            first = last = _intervals.address_int(version, value)
        elif 'prefix' in value:
            first, last = _intervals.prefix_interval((version, _intervals.address_int(version, value['prefix']['addr']),
                                                      value['prefix']['len']))[1:]
        elif 'range' in value:
            first, last = (_intervals.address_int(version, v) for v in value['range'])
        else:
            raise EgressError('Unexpected element %s in %s' % (json.dumps(item), self.describe()))
        return _address_set.Element(version, first, last, comment, value)

    def _table_exists(self):
        rc, out, err = self.run(['nft', '-j', '-f', '-'], data=json.dumps({'nftables': [{'list': {'tables': None}}]}))
        if rc != 0:
            raise EgressError('nft failed to list tables: %s' % err.strip())
        return any(item['table']['family'] == self.family and item['table']['name'] == self.table
                   for item in json.loads(out)['nftables'] if 'table' in item)

    # -- planning ---------------------------------------------------------
    def prepare(self, current, desired):
        check_one_family(desired, 'an nftables set holds one type', 'one with type=ipv4_addr and one with type=ipv6_addr')
        versions = desired.versions
        if current is not None and current.exists:
            self.type = current.properties['type']
            self.flags = current.properties['flags']
            self.set_comment = current.properties.get('comment')
            if self.requested_type and self.requested_type != self.type:
                raise EgressError('%s exists with type %s, not %s: remove it first (state=absent) or use another set'
                                  % (self.describe(), self.type, self.requested_type))
            self.host_only = 'interval' not in self.flags
        else:
            if current is not None and not self.create:
                if not current.properties.get('table_exists'):
                    raise EgressError('The table %s %s does not exist and create=false' % (self.family, self.table))
                raise EgressError('%s does not exist and create=false' % self.describe())
            self.type = self.requested_type or (TYPE_OF_VERSION[versions[0]] if versions else None)
            if self.type is None:
                raise EgressError('Cannot tell the type of %s: it does not exist and there are no addresses; set '
                                  'type=ipv4_addr or type=ipv6_addr' % self.describe())
        version = TYPES[self.type]
        if self.family == 'ip' and version != 4 or self.family == 'ip6' and version != 6:
            raise EgressError('A %s table cannot hold a set of type %s' % (self.family, self.type))
        if versions and versions[0] != version:
            raise EgressError('%s is of type %s but the addresses are IPv%d (for example %s)'
                              % (self.describe(), self.type, versions[0], desired.first_of_version(versions[0])))
        if self.host_only:
            check_expandable(desired, '%s has no "interval" flag, so it holds single addresses' % self.describe())

    @staticmethod
    def _elements(prefixes):
        """JSON elements and their nft-syntax twins, formatting each address once."""
        json_elems, texts = [], []
        bits = _intervals.BITS
        address_text = _intervals.address_text
        for (version, network, length), comment in prefixes:
            address = address_text(version, network)
            value = address if length == bits[version] else {'prefix': {'addr': address, 'len': length}}
            text = '%s/%d' % (address, length)
            if comment:
                json_elems.append({'elem': {'val': value, 'comment': comment}})
                texts.append('%s comment "%s"' % (text, comment))
            else:
                json_elems.append(value)
                texts.append(text)
        return json_elems, texts

    @staticmethod
    def _text_value(value):
        if isinstance(value, str):
            return value
        if 'prefix' in value:
            return '%s/%d' % (value['prefix']['addr'], value['prefix']['len'])
        return '%s-%s' % tuple(value['range'])

    def commands(self, current, plan):
        """The batch for this plan, as nft-syntax lines; the JSON twin is kept for apply()."""
        batch, lines = [], []
        self._create_text = None
        where = '%s %s %s' % (self.family, self.table, self.name)
        if current is None or not current.exists:
            set_def = dict(self._ref(), type=self.type, flags=list(self.flags))
            lines += ['add table %s %s' % (self.family, self.table),
                      'add set %s { type %s; flags %s;%s }' % (where, self.type, ', '.join(self.flags),
                                                               ' comment "%s";' % self.set_comment if self.set_comment else '')]
            if self.set_comment:
                # nft 1.0 ignores a set comment in JSON input: the new, empty set is made in nft syntax first.
                self._create_text = '\n'.join(lines) + '\n'
            else:
                batch += [{'add': {'table': {'family': self.family, 'name': self.table}}}, {'add': {'set': set_def}}]
            adds = plan.target_prefixes()
        elif not plan.changed:
            self._batch = []
            return []
        elif plan.delete and len(plan.delete) * (len(plan.keep) + len(plan.delete)) > FLUSH_WEIGHT * len(plan.keep):
            batch.append({'flush': {'set': self._ref()}})
            lines.append('flush set %s' % where)
            adds = plan.target_prefixes()
        else:
            if plan.delete:
                batch.append({'delete': {'element': dict(self._ref(), elem=[e.token for e in plan.delete])}})
                lines.append('delete element %s { %s }' % (where, ', '.join(self._text_value(e.token) for e in plan.delete)))
            adds = plan.add
        if adds:
            json_elems, texts = self._elements(adds)
            batch.append({'add': {'element': dict(self._ref(), elem=json_elems)}})
            lines.append('add element %s { %s }' % (where, ', '.join(texts)))
        self._batch = batch
        return lines

    # -- changing the kernel ----------------------------------------------
    def apply(self, current, plan):
        if self._create_text:
            rc, out, err = self.run(['nft', '-f', '-'], data=self._create_text)
            if rc != 0:
                raise EgressError('nft failed to create %s: %s' % (self.describe(), (err or out).strip()))
        try:
            if self._batch:
                self._nft(self._batch, 'update')
        except EgressError:
            if self._create_text:
                self.run(['nft', '-j', '-f', '-'], data=json.dumps({'nftables': [{'delete': {'set': self._ref()}}]}))
            raise

    def remove_commands(self, current):
        return ['delete set %s %s %s' % (self.family, self.table, self.name)]

    def remove(self, current):
        try:
            self._nft([{'delete': {'set': self._ref()}}], 'delete')
        except EgressError as error:
            if 'Device or resource busy' in str(error):
                raise EgressError('Cannot delete %s: a rule still refers to it (remove the rule first)' % self.describe())
            raise

    def persist_text(self, plan, with_elements=True):
        """The set as an nft include file, for /etc/nftables.conf to load before the rules that use it."""
        elements = self._elements(plan.target_prefixes())[1] if with_elements else []
        lines = ['# Managed by allowlist.egress.nftables_set. Include this file from /etc/nftables.conf',
                 '# before the rules that refer to @%s.' % self.name,
                 'table %s %s {' % (self.family, self.table),
                 '\tset %s {' % self.name,
                 '\t\ttype %s' % self.type]
        if self.flags:
            lines.append('\t\tflags %s' % ', '.join(self.flags))
        if self.set_comment:
            lines.append('\t\tcomment "%s"' % self.set_comment)
        if elements:
            lines.append('\t\telements = {\n\t\t\t%s\n\t\t}' % ',\n\t\t\t'.join(elements))
        lines += ['\t}', '}', '']
        if with_elements:
            self._declaration = self.persist_text(plan, with_elements=False)
        return '\n'.join(lines)

    def validate_persist(self, text, path):
        """Check the whole persist file (`path`, or `text` when None) the way a boot loads it.

        `nft -c` runs in a new, empty network namespace: checked against the live ruleset, the file's
        elements would clash with the ones this very run replaces.
        """
        argv, data = (['nft', '-c', '-f', path], None) if path else (['nft', '-c', '-f', '-'], text)
        rc, out, err = self.run(isolated(argv), data=data)
        note = None
        if isolation_failed(rc, err):
            # Without CAP_SYS_ADMIN: the declaration against the live ruleset; the elements are our own
            # canonical rendering with checked comments.
            note = ('Could not check the persist file for %s in an empty network namespace (%s); checked its '
                    'declaration only' % (self.describe(), err.strip()))
            rc, out, err = self.run(['nft', '-c', '-f', '-'], data=self._declaration)
        if rc != 0:
            raise EgressError('The persist file for %s fails `nft -c` (a name that is an nft keyword, such as "set", '
                              'cannot be written in nft syntax), so nothing was changed: %s'
                              % (self.describe(), (err or out).strip()))
        return note

    def facts(self, current, plan):
        return dict(type=self.type)
