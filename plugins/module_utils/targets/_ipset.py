# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ipset backend: one hash:net or hash:ip set, written with one `ipset restore` batch.

A restore batch is applied line by line, not as a transaction, so a `replaced`
sync never edits the live set: it fills a temporary set and `swap`s it in
(the kernel swaps the two atomically, and iptables rules keep pointing at the
name). `merged` and `deleted` edit the live set with adds before deletes, so an
address that stays is never missing, and switch to the swap too when the set
must be recreated (a larger maxelem, or comments on a set created without them).
"""

from __future__ import annotations

import hashlib

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _files, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target, TargetInfo
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._address_set import (
    MISSING, Current, check_expandable, check_one_family,
)
from ansible_collections.allowlist.egress.plugins.module_utils.targets._commands import (
    check_comment, check_name, isolated, isolation_failed,
)

SET_TYPES = ('hash:net', 'hash:ip')
FAMILIES = {'inet': 4, 'inet6': 6}
FAMILY_OF_VERSION = {4: 'inet', 6: 'inet6'}
NAME_PATTERN = r'^[A-Za-z0-9_][A-Za-z0-9_.:-]*$'
NAME_RULE = '1 to 31 characters (the kernel limit): letters, digits, "_", ".", ":" or "-", not starting with a punctuation mark'
COMMENT_MAX = 255  # bytes: IPSET_MAX_COMMENT_SIZE
DEFAULT_MAXELEM = 65536


def argument_spec():
    spec = _address_set.argument_spec()
    spec.update(
        name=dict(type='str', required=True),
        set_type=dict(type='str', choices=list(SET_TYPES)),
        family=dict(type='str', choices=list(FAMILIES)),
        maxelem=dict(type='int'),
    )
    return spec


def swap_name(name):
    """The temporary set of a replaced sync: fixed per set (runs on one set are serialised), within 31 characters."""
    return 'ae-swap-%s' % hashlib.sha1(name.encode('utf-8')).hexdigest()[:12]


def _parse_comment(rest):
    start = rest.find('comment "')
    if start < 0:
        return None
    end = rest.find('"', start + 9)
    return rest[start + 9:end]


class Ipset(Target):

    TARGET_INFO = TargetInfo('allowlist.egress.ipset', name_option='name', family_option='family',
                             family_values={4: 'inet', 6: 'inet6'}, persist=True)
    maxelem = None
    current_maxelem = None

    def __init__(self, run, name, set_type=None, family=None, maxelem=None):
        if set_type is not None and set_type not in SET_TYPES:
            raise EgressError('Invalid set_type %r: use one of %s' % (set_type, ', '.join(SET_TYPES)))
        if family is not None and family not in FAMILIES:
            raise EgressError('Invalid family %r: use inet or inet6' % (family,))
        if maxelem is not None and maxelem < 1:
            raise EgressError('Invalid maxelem %r: a positive number of entries' % (maxelem,))
        self.run = run
        self.name = check_name(name, 'set name', NAME_PATTERN, 31, NAME_RULE)
        self.requested_type = set_type
        self.requested_family = family
        self.requested_maxelem = maxelem
        self.tmp = swap_name(name)
        self._batch = None
        self._swap = self._via_tmp = False

    def describe(self):
        return 'ipset %s' % self.name

    def lock_path(self):
        return _files.default_lock_path('ipset', self.name)

    @staticmethod
    def check_comment(comment, where):
        check_comment(comment, where, COMMENT_MAX)
        # ipset reads a comment such as "-exist", "-q" or "--file" as one of its options, even quoted in a
        # restore batch, and fails that line (measured with ipset 7.17).
        if comment.startswith('-'):
            raise EgressError('Invalid comment %r at %s: an ipset comment may not start with "-" (ipset reads some, '
                              'such as "-exist", as options)' % (comment, where))

    def _ipset(self, argv, data=None, what='update'):
        rc, out, err = self.run(['ipset'] + argv, data=data)
        if rc != 0:
            raise EgressError('ipset failed to %s %s: %s' % (what, self.describe(), (err or out).strip()))
        return out

    def read(self):
        rc, out, err = self.run(['ipset', 'save', self.name])
        if rc != 0:
            if 'does not exist' in err:
                return MISSING
            raise EgressError('ipset failed to read %s: %s' % (self.describe(), err.strip()))
        elements, properties = [], {}
        for line in out.splitlines():
            if line.startswith('add '):
                address, rest = (line + ' ').split(' ', 3)[2:]
                if 'nomatch' in rest.split():
                    raise EgressError('%s holds the "nomatch" entry %s: exceptions are not an allowlist this module '
                                      'can own' % (self.describe(), address))
                interval = _intervals.parse(address, source=self.describe())[0]
                elements.append(_address_set.Element(interval[0], interval[1], interval[2], _parse_comment(rest), address))
            elif line.startswith('create '):
                words = line.split()
                properties = dict(set_type=words[2], options=words[3:])
                for key in ('family', 'hashsize', 'maxelem', 'timeout'):
                    if key in words:
                        properties[key] = words[words.index(key) + 1]
                properties['comment'] = 'comment' in words[3:]
        if properties.get('set_type') not in SET_TYPES:
            raise EgressError('%s is of type %s; this module manages hash:net and hash:ip sets'
                              % (self.describe(), properties.get('set_type')))
        if 'timeout' in properties:
            raise EgressError('%s has a default timeout: entries that expire are not an allowlist this module can own'
                              % self.describe())
        properties['maxelem'] = int(properties.get('maxelem', DEFAULT_MAXELEM))
        return Current(True, elements, properties)

    def prepare(self, current, desired):
        check_one_family(desired, 'an ipset holds one family', 'one with family=inet and one with family=inet6')
        versions = desired.versions
        exists = current is not None and current.exists
        if exists:
            self.set_type = current.properties['set_type']
            self.family = current.properties.get('family', 'inet')
            for option, requested, actual in (('set_type', self.requested_type, self.set_type),
                                              ('family', self.requested_family, self.family)):
                if requested and requested != actual:
                    raise EgressError('%s exists with %s %s, not %s: remove it first (state=absent) or use another name'
                                      % (self.describe(), option, actual, requested))
        else:
            self.set_type = self.requested_type or 'hash:net'
            self.family = self.requested_family or (FAMILY_OF_VERSION[versions[0]] if versions else 'inet')
        version = FAMILIES[self.family]
        if versions and versions[0] != version:
            raise EgressError('%s is of family %s but the addresses are IPv%d (for example %s)'
                              % (self.describe(), self.family, versions[0], desired.first_of_version(versions[0])))
        # The kernel refuses a /0 in hash:net; two /1 cover the same space.
        self.min_prefix = 1 if self.set_type == 'hash:net' else 0
        self.host_only = self.set_type == 'hash:ip'
        if self.host_only:
            check_expandable(desired, '%s is hash:ip, which holds single addresses (use set_type=hash:net)'
                             % self.describe())

    @staticmethod
    def _entry(prefix, comment):
        text = _intervals.entry_text(prefix)
        return '%s comment "%s"' % (text, comment) if comment else text

    @classmethod
    def _add_lines(cls, name, prefixes):
        """`add NAME ENTRY` for each (prefix, comment): the whole set's batch, 100,000 lines per sync."""
        entry_text, head = _intervals.entry_text, 'add %s ' % name
        return [head + entry_text(p) if not c else head + cls._entry(p, c) for p, c in prefixes]

    def _create_line(self, name, count, comments):
        maxelem = max(self.requested_maxelem or self.current_maxelem or DEFAULT_MAXELEM, count)
        self.maxelem = maxelem
        extension = ' comment' if comments else ''
        return 'create %s %s family %s maxelem %d%s' % (name, self.set_type, self.family, maxelem, extension)

    def commands(self, current, plan):
        exists = current is not None and current.exists
        self.current_maxelem = current.properties['maxelem'] if exists else None
        self.maxelem = self.current_maxelem
        targets = plan.target_prefixes()
        count = len(targets)
        comments = any(c for c in plan.target_groups)
        needs_new_set = exists and (
            count > self.current_maxelem
            or (comments and not current.properties.get('comment'))
            or (self.requested_maxelem and self.requested_maxelem != self.current_maxelem))
        self._swap = self._via_tmp = False
        if current is None:
            # rendered: the batch that makes the set, for review.
            lines = [self._create_line(self.name, count, comments)]
            lines += self._add_lines(self.name, targets)
        elif not exists:
            # Restore applies line by line: the new set is filled under the temporary name and renamed only when
            # complete, so a line the kernel refuses never leaves an empty or half-filled set behind.
            self._via_tmp = True
            lines = [self._create_line(self.tmp, count, comments)]
            lines += self._add_lines(self.tmp, targets)
            lines.append('rename %s %s' % (self.tmp, self.name))
        elif not plan.changed and not needs_new_set:
            lines = []
        elif needs_new_set or self.state == 'replaced':
            self._swap = True
            lines = [self._create_line(self.tmp, count, comments)]
            lines += self._add_lines(self.tmp, targets)
            lines += ['swap %s %s' % (self.tmp, self.name), 'destroy %s' % self.tmp]
        else:
            added = set()
            lines = []
            for prefix, comment in plan.add:
                entry = self._entry(prefix, comment)
                added.add(entry.split(' ', 1)[0])
                lines.append('add %s %s' % (self.name, entry))
            lines += ['del %s %s' % (self.name, e.token) for e in plan.delete if e.token not in added]
        self._batch = lines
        return lines

    def apply(self, current, plan):
        if not self._batch:
            return
        via_tmp = self._swap or self._via_tmp
        if via_tmp:
            # A temporary set left by an interrupted run would make `create` fail.
            self.run(['ipset', 'destroy', self.tmp])
        try:
            self._ipset(['-exist', 'restore'], data='\n'.join(self._batch) + '\n')
        except EgressError:
            if via_tmp:
                self.run(['ipset', 'destroy', self.tmp])
            raise

    def remove_commands(self, current):
        return ['destroy %s' % self.name]

    def remove(self, current):
        try:
            self._ipset(['destroy', self.name], what='destroy')
        except EgressError as error:
            if 'in use' in str(error):
                raise EgressError('Cannot destroy %s: a rule (iptables -m set) still refers to it; remove the rule first'
                                  % self.describe())
            raise

    def persist_text(self, plan):
        """The set as an `ipset restore -exist` file, so a boot-time restore recreates it."""
        targets = plan.target_prefixes()
        comments = any(c for c in plan.target_groups)
        maxelem = max(self.maxelem or self.requested_maxelem or DEFAULT_MAXELEM, len(targets))
        extension = ' comment' if comments else ''
        create = 'create %s %s family %s maxelem %d%s' % (self.name, self.set_type, self.family, maxelem, extension)
        lines = ['# Managed by allowlist.egress.ipset: load with `ipset restore -exist -f <this file>`',
                 create, 'flush %s' % self.name]
        lines += self._add_lines(self.name, targets)
        return '\n'.join(lines) + '\n'

    def validate_persist(self, text, path):
        """Load the whole persist file (`path`, or `text` when None) as a boot does, in a new, empty network
        namespace that vanishes afterwards: ipsets belong to a network namespace, so nothing here changes.
        """
        argv, data = (['ipset', 'restore', '-exist', '-f', path], None) if path else (['ipset', 'restore', '-exist'], text)
        rc, out, err = self.run(isolated(argv), data=data)
        if isolation_failed(rc, err):
            # Without CAP_SYS_ADMIN there is no honest kernel check; every line is built from a checked name,
            # canonical addresses and comments checked against ipset's limits.
            return ('Could not check the persist file for %s in an empty network namespace (%s); relying on the '
                    'checks of names and comments' % (self.describe(), err.strip()))
        if rc != 0:
            raise EgressError('The persist file for %s fails `ipset restore` in an empty network namespace, so '
                              'nothing was changed: %s' % (self.describe(), (err or out).strip()))
        return None

    def facts(self, current, plan):
        grown = bool(current is not None and current.exists and self.maxelem and self.maxelem > self.current_maxelem)
        return dict(set_type=self.set_type, family=self.family, maxelem=self.maxelem, maxelem_grown=grown,
                    swapped=self._swap)
