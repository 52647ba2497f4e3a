# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWS backend: an EC2 customer-managed prefix list.

The rules AWS sets, and how this backend keeps them:
- ModifyManagedPrefixList takes at most 100 entries added plus removed per call: the delta goes in
  batches, removals of entries that are re-added with a new description after their additions.
- Entries and MaxEntries cannot change in the same call: MaxEntries is grown first, alone, and only
  to what the list needs (every security group that references the list counts MaxEntries against its
  rule quota), shrunk last.
- Every modify passes CurrentVersion and waits for `modify-complete` before the next one. A call that
  fails while the list's version moved (someone else changed it) is retried from a fresh read and a
  fresh plan, never replayed blindly. `IncorrectState` (a modify in progress) waits and retries.
- A customer-managed prefix list holds at most 1,000 entries: more fails before any change.
- A security group rule that references the list counts as MaxEntries rules against the group's quota of
  inbound (and, apart, outbound) rules. Before MaxEntries grows, every group's rules are read and a growth
  that would take a referencing group past `security_group_rules_quota` fails, naming each such group,
  before any change (AWS would otherwise fail the modify asynchronously, in state modify-failed).
"""

from __future__ import annotations

import time

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _aws, _files, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._aws import HAS_BOTO3
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target, TargetInfo
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._address_set import MISSING, Current, check_one_family

if HAS_BOTO3:
    import botocore.exceptions

FAMILIES = {'IPv4': 4, 'IPv6': 6}
FAMILY_OF_VERSION = {4: 'IPv4', 6: 'IPv6'}
BATCH = 100  # entries added + removed per ModifyManagedPrefixList call
LIMIT = 1000  # entries per customer-managed prefix list
DESCRIPTION_MAX = 255
CONFLICT_RETRIES = 5
DEFAULT_WAIT_TIMEOUT = 300.0
# Inbound or outbound rules per security group, AWS's default quota (adjustable per account).
DEFAULT_RULES_QUOTA = 60


def argument_spec():
    spec = _address_set.argument_spec(persist=False)
    spec.update(
        name=dict(type='str'),
        id=dict(type='str'),
        address_family=dict(type='str', choices=list(FAMILIES)),
        max_entries=dict(type='int'),
        tags=dict(type='dict'),
        purge_tags=dict(type='bool', default=False),
        wait_timeout=dict(type='float', default=DEFAULT_WAIT_TIMEOUT),
        security_group_rules_quota=dict(type='int', default=DEFAULT_RULES_QUOTA),
    )
    spec.update(_aws.argument_spec())
    return spec


def ec2_client(**options):
    """An EC2 client from the connection options (see _aws.client)."""
    return _aws.client('ec2', module='aws_prefix_list', **options)


_code = _aws.error_code


class AwsPrefixList(Target):

    TARGET_INFO = TargetInfo('allowlist.egress.aws_prefix_list', name_option='name', family_option='address_family',
                             family_values={4: 'IPv4', 6: 'IPv6'}, persist=False)

    def __init__(self, client, name=None, list_id=None, address_family=None, max_entries=None, tags=None,
                 purge_tags=False, wait_timeout=DEFAULT_WAIT_TIMEOUT, sleep=time.sleep,
                 security_group_rules_quota=DEFAULT_RULES_QUOTA):
        if not name and not list_id:
            raise EgressError('Give the prefix list a name or an id')
        if max_entries is not None and not 1 <= max_entries <= LIMIT:
            raise EgressError('Invalid max_entries %r: 1 to %d' % (max_entries, LIMIT))
        if isinstance(security_group_rules_quota, bool) or not isinstance(security_group_rules_quota, int) \
                or security_group_rules_quota < 1:
            raise EgressError('Invalid security_group_rules_quota %r: a number of rules, 1 or more'
                              % (security_group_rules_quota,))
        self.rules_quota = security_group_rules_quota
        self.client = client
        self.name = name
        self.list_id = list_id
        self.requested_family = address_family
        self.requested_max = max_entries
        self.tags = dict((str(k), str(v)) for k, v in (tags or {}).items())
        self.purge_tags = purge_tags
        self.wait_timeout = wait_timeout
        self.sleep = sleep
        self.family = address_family
        self.grown_by = 0
        self._steps = []

    # -- identity ---------------------------------------------------------
    def describe(self):
        return 'prefix list %s' % (self.list_id or self.name)

    def lock_path(self):
        return _files.default_lock_path('aws_prefix_list', self.list_id or self.name)

    @staticmethod
    def check_comment(comment, where):
        if len(comment) > DESCRIPTION_MAX:
            raise EgressError('Invalid description at %s: at most %d characters, got %d'
                              % (where, DESCRIPTION_MAX, len(comment)))

    def _call(self, method, **kwargs):
        try:
            return getattr(self.client, method)(**kwargs)
        except botocore.exceptions.ClientError as error:
            raise EgressError('AWS refused %s for %s: %s' % (method, self.describe(), error))
        except botocore.exceptions.BotoCoreError as error:
            raise EgressError('Cannot reach AWS for %s (%s): %s' % (self.describe(), method, error))

    # -- reading ----------------------------------------------------------
    def _find(self):
        if self.list_id:
            try:
                found = self.client.describe_managed_prefix_lists(PrefixListIds=[self.list_id])['PrefixLists']
            except botocore.exceptions.ClientError as error:
                if 'NotFound' in _code(error):
                    return None
                raise EgressError('AWS refused describe_managed_prefix_lists for %s: %s' % (self.describe(), error))
            except botocore.exceptions.BotoCoreError as error:
                raise EgressError('Cannot reach AWS for %s: %s' % (self.describe(), error))
            found = [item for item in found if not _deleted(item)]
            return found[0] if found else None
        matches = []
        paginator = self.client.get_paginator('describe_managed_prefix_lists')
        try:
            for page in paginator.paginate():
                for item in page['PrefixLists']:
                    tag_name = dict((t['Key'], t['Value']) for t in item.get('Tags', [])).get('Name')
                    if item.get('OwnerId') != 'AWS' and not _deleted(item) and self.name in (item.get('PrefixListName'), tag_name):
                        matches.append(item)
        except botocore.exceptions.ClientError as error:
            raise EgressError('AWS refused describe_managed_prefix_lists for %s: %s' % (self.describe(), error))
        except botocore.exceptions.BotoCoreError as error:
            raise EgressError('Cannot reach AWS for %s: %s' % (self.describe(), error))
        if len(matches) > 1:
            raise EgressError('%d prefix lists are named %s (%s): give the id instead'
                              % (len(matches), self.name, ', '.join(m['PrefixListId'] for m in matches)))
        return matches[0] if matches else None

    def read(self):
        found = self._find()
        if found is None:
            return MISSING
        self.list_id = found['PrefixListId']
        version = FAMILIES[found['AddressFamily']]
        elements = []
        paginator = self.client.get_paginator('get_managed_prefix_list_entries')
        try:
            for page in paginator.paginate(PrefixListId=self.list_id):
                for entry in page['Entries']:
                    interval = _intervals.parse(entry['Cidr'], source=self.describe())[0]
                    if interval[0] != version:
                        raise EgressError('%s holds %s, not an %s entry' % (self.describe(), entry['Cidr'], found['AddressFamily']))
                    elements.append(_address_set.Element(interval[0], interval[1], interval[2],
                                                         entry.get('Description') or None, entry['Cidr']))
        except botocore.exceptions.ClientError as error:
            raise EgressError('AWS refused get_managed_prefix_list_entries for %s: %s' % (self.describe(), error))
        properties = dict(id=self.list_id, version=found.get('Version'), max_entries=found['MaxEntries'],
                          address_family=found['AddressFamily'], state=found.get('State'),
                          tags=dict((t['Key'], t['Value']) for t in found.get('Tags', [])), arn=found.get('PrefixListArn'),
                          name=found.get('PrefixListName'))
        return Current(True, elements, properties)

    # -- planning ---------------------------------------------------------
    def prepare(self, current, desired):
        check_one_family(desired, 'a prefix list holds one address family',
                         'one with address_family=IPv4 and one with address_family=IPv6')
        versions = desired.versions
        self._desired = desired
        if current is not None and current.exists:
            self.family = current.properties['address_family']
            if self.requested_family and self.requested_family != self.family:
                raise EgressError('%s exists with address family %s, not %s'
                                  % (self.describe(), self.family, self.requested_family))
        else:
            if current is not None and not self.name:
                raise EgressError('There is no prefix list with id %s (give a name to create one)' % self.list_id)
            self.family = self.requested_family or (FAMILY_OF_VERSION[versions[0]] if versions else None)
            if self.family is None:
                raise EgressError('Cannot tell the address family of the new %s: set address_family' % self.describe())
        if versions and FAMILIES[self.family] != versions[0]:
            raise EgressError('%s is %s, but the addresses are IPv%d (for example %s)'
                              % (self.describe(), self.family, versions[0], desired.first_of_version(versions[0])))

    def commands(self, current, plan):
        """The API calls this plan makes, one line each; the same steps are kept for apply()."""
        target = [(_intervals.cidr_text(prefix), comment) for prefix, comment in plan.target_prefixes()]
        if len(target) > LIMIT:
            raise EgressError('%s would hold %d entries, more than the %d that AWS allows in a customer-managed '
                              'prefix list; nothing was changed' % (self.describe(), len(target), LIMIT))
        steps = []
        exists = current is not None and current.exists
        current_max = current.properties['max_entries'] if exists else 0
        # Never more than the list needs (or than asked for): MaxEntries counts against every referencing
        # security group's rule quota.
        new_max = max(len(target), 1, self.requested_max or 0)
        if exists and not self.requested_max:
            new_max = max(new_max, current_max)
        if not exists:
            steps.append(('create', dict(entries=target[:BATCH], max_entries=new_max)))
            steps += [('modify', dict(add=target[start:start + BATCH], remove=[]))
                      for start in range(BATCH, len(target), BATCH)]
        else:
            if new_max > current_max:
                self._check_security_groups(current.properties['id'], new_max)
                steps.append(('max_entries', dict(max_entries=new_max)))
            steps += [('modify', batch) for batch in _batches(plan)]
            if new_max < current_max:
                steps.append(('max_entries', dict(max_entries=new_max)))
        self.grown_by = max(0, new_max - current_max) if exists else 0
        self.max_entries = new_max
        tag_changes = self._tag_changes(current)
        if tag_changes:
            steps.append(('tags', tag_changes))
        self._steps = steps
        return [self._render(kind, args) for kind, args in steps]

    def _check_security_groups(self, list_id, new_max):
        """Refuse growing MaxEntries to `new_max` when a referencing security group would pass its rule quota.

        Every group's rules are read (DescribeSecurityGroups without a filter): the prefix-list-id filter and
        GetManagedPrefixListAssociations are not available everywhere this runs (moto has neither).
        """
        groups = []
        try:
            for page in self.client.get_paginator('describe_security_groups').paginate():
                groups.extend(page['SecurityGroups'])
        except botocore.exceptions.ClientError as error:
            raise EgressError('AWS refused describe_security_groups, needed to check that growing MaxEntries of %s '
                              'to %d keeps its security groups within their rule quota: %s'
                              % (self.describe(), new_max, error))
        except botocore.exceptions.BotoCoreError as error:
            raise EgressError('Cannot reach AWS for describe_security_groups (%s): %s' % (self.describe(), error))
        others = set(pl for group in groups for direction in _DIRECTIONS
                     for permission in group.get(direction) or [] for pl in _prefix_list_ids(permission)) - {list_id}
        sizes = self._max_entries_of(sorted(others))
        sizes[list_id] = new_max
        over = []
        for group in groups:
            for direction, word in _DIRECTIONS.items():
                permissions = group.get(direction) or []
                if not any(list_id in _prefix_list_ids(p) for p in permissions):
                    continue
                count = rule_count(permissions, sizes)
                if count > self.rules_quota:
                    over.append('%s (%s): %d %s rules' % (group['GroupId'], group.get('GroupName', ''), count, word))
        if over:
            raise EgressError(
                'Growing MaxEntries of %s to %d would take %d security group(s) past security_group_rules_quota=%d '
                '(a rule that references a prefix list counts as its MaxEntries rules): %s. Nothing was changed; '
                'raise the quota (Service Quotas, then security_group_rules_quota), remove rules, or split the list'
                % (self.describe(), new_max, len(over), self.rules_quota, '; '.join(over)))

    def _max_entries_of(self, list_ids):
        """MaxEntries of other prefix lists the groups reference (1 for one AWS does not describe to us)."""
        sizes = dict((pl, 1) for pl in list_ids)
        for start in range(0, len(list_ids), 100):
            chunk = list_ids[start:start + 100]
            try:
                found = self.client.describe_managed_prefix_lists(PrefixListIds=chunk)['PrefixLists']
            except botocore.exceptions.ClientError:
                found = []
                for one in chunk:  # one unknown id fails the whole call: ask one by one
                    try:
                        found += self.client.describe_managed_prefix_lists(PrefixListIds=[one])['PrefixLists']
                    except botocore.exceptions.ClientError:
                        pass
            for item in found:
                sizes[item['PrefixListId']] = item.get('MaxEntries') or 1
        return sizes

    def _tag_changes(self, current):
        have = current.properties['tags'] if current is not None and current.exists else {}
        if current is None or not current.exists:
            return None  # tags go in with create (with Name)
        want = dict(self.tags)
        add = dict((k, v) for k, v in want.items() if have.get(k) != v)
        remove = [k for k in have if k not in want and k != 'Name'] if self.purge_tags else []
        return dict(add=add, remove=remove) if add or remove else None

    def _render(self, kind, args):
        if kind == 'create':
            return 'create-managed-prefix-list name=%s address-family=%s max-entries=%d entries=%s' % (
                self.name, self.family, args['max_entries'], ','.join(entry[0] for entry in args['entries']))
        if kind == 'max_entries':
            return 'modify-managed-prefix-list max-entries=%d' % args['max_entries']
        if kind == 'tags':
            return 'tags add=%s remove=%s' % (sorted(args['add'].items()), sorted(args['remove']))
        return 'modify-managed-prefix-list add=%s remove=%s' % (
            ','.join(entry[0] for entry in args['add']) or '-', ','.join(args['remove']) or '-')

    # -- changing AWS -----------------------------------------------------
    def apply(self, current, plan):
        for attempt in range(CONFLICT_RETRIES):
            try:
                self._run_steps(current)
                return
            except _VersionConflict:
                # Someone else changed the list: read it again and plan again from what it holds now.
                fresh = self.read()
                self.prepare(fresh, self._desired)
                target = _address_set.target_groups(self.state, fresh.elements, self._desired)
                plan = _address_set.Plan(fresh.elements, target, self.min_prefix, self.host_only)
                self.commands(fresh, plan)
                current = fresh
        raise EgressError('%s kept changing under this run (%d attempts); nothing was overwritten'
                          % (self.describe(), CONFLICT_RETRIES))

    def _run_steps(self, current):
        version = current.properties['version'] if current is not None and current.exists else None
        for kind, args in self._steps:
            if kind == 'create':
                tags = dict(self.tags)
                tags.setdefault('Name', self.name)
                created = self._call('create_managed_prefix_list', PrefixListName=self.name, AddressFamily=self.family,
                                     MaxEntries=args['max_entries'], Entries=[_entry(c, d) for c, d in args['entries']],
                                     TagSpecifications=[{'ResourceType': 'prefix-list', 'Tags': [
                                         {'Key': k, 'Value': v} for k, v in sorted(tags.items())]}])['PrefixList']
                self.list_id = created['PrefixListId']
                version = self._wait(created)
            elif kind == 'tags':
                if args['add']:
                    self._call('create_tags', Resources=[self.list_id],
                               Tags=[{'Key': k, 'Value': v} for k, v in sorted(args['add'].items())])
                if args['remove']:
                    self._call('delete_tags', Resources=[self.list_id], Tags=[{'Key': k} for k in args['remove']])
            else:
                request = dict(PrefixListId=self.list_id, CurrentVersion=version)
                if kind == 'max_entries':
                    request['MaxEntries'] = args['max_entries']
                else:
                    if args['add']:
                        request['AddEntries'] = [_entry(c, d) for c, d in args['add']]
                    if args['remove']:
                        request['RemoveEntries'] = [{'Cidr': c} for c in args['remove']]
                version = self._modify(request)

    def _modify(self, request):
        deadline = time.monotonic() + self.wait_timeout
        while True:
            try:
                result = self.client.modify_managed_prefix_list(**request)['PrefixList']
            except botocore.exceptions.ClientError as error:
                if _code(error) == 'IncorrectState' and time.monotonic() < deadline:
                    self.sleep(2)  # a modify is still in progress
                    continue
                if self._version_moved(request['CurrentVersion']):
                    raise _VersionConflict()
                raise EgressError('AWS refused to modify %s: %s' % (self.describe(), error))
            except botocore.exceptions.BotoCoreError as error:
                raise EgressError('Cannot reach AWS to modify %s: %s' % (self.describe(), error))
            return self._wait(result)

    def _version_moved(self, sent):
        try:
            found = self.client.describe_managed_prefix_lists(PrefixListIds=[self.list_id])['PrefixLists']
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
            return False
        return bool(found) and sent is not None and found[0].get('Version') != sent

    def _wait(self, prefix_list):
        """Wait until the list is *-complete; return its version."""
        deadline = time.monotonic() + self.wait_timeout
        while prefix_list.get('State', '').endswith('-in-progress'):
            if time.monotonic() >= deadline:
                raise EgressError('%s is still %s after %ss' % (self.describe(), prefix_list['State'], self.wait_timeout))
            self.sleep(1)
            prefix_list = self._call('describe_managed_prefix_lists', PrefixListIds=[self.list_id])['PrefixLists'][0]
        if prefix_list.get('State', '').endswith('-failed'):
            message = prefix_list.get('StateMessage', '')
            raise EgressError('AWS reports %s for %s: %s' % (prefix_list['State'], self.describe(), message))
        return prefix_list.get('Version')

    def remove_commands(self, current):
        return ['delete-managed-prefix-list id=%s' % current.properties['id']]

    def remove(self, current):
        self._call('delete_managed_prefix_list', PrefixListId=current.properties['id'])

    def facts(self, current, plan):
        return dict(prefix_list_id=self.list_id, address_family=self.family, max_entries=self.max_entries,
                    max_entries_grown_by=self.grown_by)


def _batches(plan):
    """The delta in calls of at most BATCH entries: removals first (so the list never overflows MaxEntries),
    then description changes as remove + add of the same CIDR in one call, then additions."""
    adds = [(_intervals.cidr_text(p), c) for p, c in plan.add]
    deleted = set(e.token for e in plan.delete)
    updated = dict((cidr, d) for cidr, d in adds if cidr in deleted)
    groups = [[('remove', e.token)] for e in plan.delete if e.token not in updated]
    groups += [[('remove', cidr), ('add', (cidr, d))] for cidr, d in sorted(updated.items())]
    groups += [[('add', a)] for a in adds if a[0] not in updated]
    batches, current = [], []
    for group in groups:
        if len(current) + len(group) > BATCH:
            batches.append(current)
            current = []
        current += group
    if current:
        batches.append(current)
    return [dict(add=[v for k, v in b if k == 'add'], remove=[v for k, v in b if k == 'remove']) for b in batches]


_DIRECTIONS = {'IpPermissions': 'inbound', 'IpPermissionsEgress': 'outbound'}


def _prefix_list_ids(permission):
    return [item['PrefixListId'] for item in permission.get('PrefixListIds') or [] if item.get('PrefixListId')]


def rule_count(permissions, sizes):
    """The rules `permissions` (one direction of a security group) count against the quota: one per CIDR and per
    referenced group, a prefix list's MaxEntries (from `sizes`) per reference to it."""
    count = 0
    for permission in permissions:
        count += len(permission.get('IpRanges') or []) + len(permission.get('Ipv6Ranges') or [])
        count += len(permission.get('UserIdGroupPairs') or [])
        count += sum(sizes.get(pl, 1) for pl in _prefix_list_ids(permission))
    return count


class _VersionConflict(Exception):
    pass


def _deleted(prefix_list):
    # A deleted list may still be described for a while, in state delete-in-progress or delete-complete.
    return prefix_list.get('State', '').startswith('delete-')


def _entry(cidr, description):
    entry = {'Cidr': cidr}
    if description:
        entry['Description'] = description
    return entry
