# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWS backend: an AWS WAF (WAFv2) IP set.

The rules AWS sets, and how this backend keeps them:
- UpdateIPSet replaces the whole set (addresses and description) and needs the LockToken of the GetIPSet
  it was planned from. WAFOptimisticLockException means another writer was first: the set is read again,
  the plan made again from what it holds now (the guards checked again), and sent with the new token; a
  bounded number of times, never replayed blindly.
- An IP set holds one address family (IPV4 or IPV6), CIDRs only (a host is a /32 or /128), never a /0,
  and at most 10,000 addresses: more fails before any call that changes anything.
- Entries have no descriptions, so the comments of the wanted entries are not stored and not compared.
  The set's own description (1 to 256 characters of a restricted alphabet) is checked before any call.
- A CLOUDFRONT set lives in us-east-1 only.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _aws, _files, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._aws import HAS_BOTO3
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target, TargetInfo
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._address_set import MISSING, Current, check_one_family

if HAS_BOTO3:
    import botocore.exceptions

FAMILIES = {'IPv4': 4, 'IPv6': 6}
FAMILY_OF_VERSION = {4: 'IPv4', 6: 'IPv6'}
# The API spells the family IPV4 / IPV6; the options spell it as aws_prefix_list does.
API_FAMILY = {'IPv4': 'IPV4', 'IPv6': 'IPV6'}
SCOPES = ('REGIONAL', 'CLOUDFRONT')
LIMIT = 10000  # addresses (CIDRs) per IP set
CONFLICT_RETRIES = 5
LIST_PAGE = 100
# From the WAFv2 API model (EntityName, EntityDescription); \w is ASCII there.
NAME_RE = re.compile(r'[\w\-]{1,128}\Z', re.ASCII)
DESCRIPTION_RE = re.compile(r'[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]\Z', re.ASCII)
DESCRIPTION_MAX = 256


def argument_spec():
    spec = _address_set.argument_spec(persist=False)
    spec.update(
        name=dict(type='str', required=True),
        scope=dict(type='str', default='REGIONAL', choices=list(SCOPES)),
        address_family=dict(type='str', choices=list(FAMILIES)),
        description=dict(type='str'),
    )
    spec.update(_aws.argument_spec())
    return spec


def check_description(description):
    # Control characters first (the API pattern's \s would let a newline in), then WAF's own rule.
    _address_set.check_comment_text(description, 'description')
    if len(description) > DESCRIPTION_MAX or not DESCRIPTION_RE.match(description):
        raise EgressError('Invalid description %r: WAF takes 3 to %d characters, letters, digits, spaces and '
                          '_+=:#@/-,. only, not starting or ending with a space' % (description, DESCRIPTION_MAX))


class AwsWafv2IpSet(Target):

    TARGET_INFO = TargetInfo('allowlist.egress.aws_wafv2_ip_set', name_option='name', family_option='address_family',
                             family_values={4: 'IPv4', 6: 'IPv6'}, persist=False)
    # WAF takes every CIDR but /0.
    min_prefix = 1

    def __init__(self, client, name, scope='REGIONAL', address_family=None, description=None, guards=None):
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise EgressError('Invalid IP set name %r: 1 to 128 letters, digits, _ and -' % (name,))
        if scope not in SCOPES:
            raise EgressError('Invalid scope %r: one of %s' % (scope, ', '.join(SCOPES)))
        if description is not None:
            check_description(description)
        region = getattr(getattr(client, 'meta', None), 'region_name', None)
        if scope == 'CLOUDFRONT' and region != 'us-east-1':
            raise EgressError('A CLOUDFRONT IP set is managed in us-east-1 only; region is %s' % region)
        self.client = client
        self.name = name
        self.scope = scope
        self.region = region
        self.requested_family = address_family
        self.description = description
        # max_removals, max_additions and force, checked again when a conflict makes a new plan.
        self.guards = guards or {}
        self.family = address_family
        self.set_id = None
        self.arn = None
        self._steps = []

    # -- identity ---------------------------------------------------------
    def describe(self):
        return 'WAF IP set %s (%s%s)' % (self.name, self.scope, '' if self.scope == 'CLOUDFRONT' else ' %s' % self.region)

    def lock_path(self):
        return _files.default_lock_path('aws_wafv2_ip_set', self.scope, self.region, self.name)

    def _call(self, method, **kwargs):
        try:
            return getattr(self.client, method)(**kwargs)
        except botocore.exceptions.ClientError as error:
            raise EgressError('AWS refused %s for %s: %s' % (method, self.describe(), error))
        except botocore.exceptions.BotoCoreError as error:
            raise EgressError('Cannot reach AWS for %s (%s): %s' % (self.describe(), method, error))

    # -- reading ----------------------------------------------------------
    def _find(self):
        request = dict(Scope=self.scope, Limit=LIST_PAGE)
        while True:
            page = self._call('list_ip_sets', **request)
            for summary in page.get('IPSets') or []:
                if summary.get('Name') == self.name:
                    return summary
            if not page.get('NextMarker') or not page.get('IPSets'):
                return None
            request['NextMarker'] = page['NextMarker']

    def read(self):
        summary = self._find()
        if summary is None:
            return MISSING
        try:
            answer = self.client.get_ip_set(Name=self.name, Scope=self.scope, Id=summary['Id'])
        except botocore.exceptions.ClientError as error:
            if _aws.error_code(error) == 'WAFNonexistentItemException':
                return MISSING  # deleted between the list and the get
            raise EgressError('AWS refused get_ip_set for %s: %s' % (self.describe(), error))
        except botocore.exceptions.BotoCoreError as error:
            raise EgressError('Cannot reach AWS for %s (get_ip_set): %s' % (self.describe(), error))
        ip_set = answer['IPSet']
        self.set_id, self.arn = ip_set['Id'], ip_set.get('ARN')
        family = 'IPv6' if ip_set.get('IPAddressVersion') == 'IPV6' else 'IPv4'
        elements = []
        for index, address in enumerate(ip_set.get('Addresses') or []):
            interval = _intervals.parse(address, source='%s Addresses[%d]' % (self.describe(), index))[0]
            if interval[0] != FAMILIES[family]:
                raise EgressError('%s holds %s, not an %s address' % (self.describe(), address, family))
            elements.append(_address_set.Element(interval[0], interval[1], interval[2], None, address))
        properties = dict(id=ip_set['Id'], arn=ip_set.get('ARN'), lock_token=answer['LockToken'],
                          address_family=family, description=ip_set.get('Description'))
        return Current(True, elements, properties)

    # -- planning ---------------------------------------------------------
    def prepare(self, current, desired):
        check_one_family(desired, 'a WAF IP set holds one address family',
                         'one with address_family=IPv4 and one with address_family=IPv6')
        versions = desired.versions
        self._desired = desired
        if current is not None and current.exists:
            self.family = current.properties['address_family']
            if self.requested_family and self.requested_family != self.family:
                raise EgressError('%s exists with address family %s, not %s'
                                  % (self.describe(), self.family, self.requested_family))
        else:
            self.family = self.requested_family or (FAMILY_OF_VERSION[versions[0]] if versions else None)
            if self.family is None:
                raise EgressError('Cannot tell the address family of the new %s: set address_family' % self.describe())
        if versions and FAMILIES[self.family] != versions[0]:
            raise EgressError('%s is %s, but the addresses are IPv%d (for example %s)'
                              % (self.describe(), self.family, versions[0], desired.first_of_version(versions[0])))
        if desired.groups:
            # Entries have no descriptions in WAF: they are stored, and so compared, without comments.
            merged = desired.all()
            desired.groups = OrderedDict([(None, merged)]) if merged else OrderedDict()

    def commands(self, current, plan):
        """The API call this plan makes (one: the whole set at once); kept for apply()."""
        target = [_intervals.cidr_text(prefix) for prefix, _comment in plan.target_prefixes()]
        if len(target) > LIMIT:
            raise EgressError('%s would hold %d addresses, more than the %d that AWS WAF allows in an IP set; '
                              'nothing was changed' % (self.describe(), len(target), LIMIT))
        exists = current is not None and current.exists
        description = self.description
        if exists and description is None:
            description = current.properties.get('description')  # UpdateIPSet replaces it too: send it back
        if not exists:
            self._steps = [('create', dict(addresses=target, description=description))]
        elif plan.changed or description != current.properties.get('description'):
            self._steps = [('update', dict(addresses=target, description=description,
                                           lock_token=current.properties['lock_token']))]
        else:
            self._steps = []
        return [self._render(kind, args, plan) for kind, args in self._steps]

    def _render(self, kind, args, plan):
        described = '' if args['description'] is None else ' description=%s' % args['description']
        if kind == 'create':
            return 'create-ip-set name=%s scope=%s ip-address-version=%s%s addresses=%s' % (
                self.name, self.scope, API_FAMILY[self.family], described, ','.join(args['addresses']) or '-')
        return 'update-ip-set name=%s scope=%s id=%s%s addresses=%d add=%s remove=%s' % (
            self.name, self.scope, self.set_id, described, len(args['addresses']),
            ','.join(_intervals.cidr_text(p) for p, _c in plan.add) or '-',
            ','.join(e.token for e in plan.delete) or '-')

    # -- changing AWS -----------------------------------------------------
    def apply(self, current, plan):
        for _attempt in range(CONFLICT_RETRIES):
            if not self._steps:
                return  # a fresh plan found nothing left to do
            kind, args = self._steps[0]
            try:
                if kind == 'create':
                    request = dict(Name=self.name, Scope=self.scope, IPAddressVersion=API_FAMILY[self.family],
                                   Addresses=args['addresses'])
                    if args['description'] is not None:
                        request['Description'] = args['description']
                    summary = self.client.create_ip_set(**request)['Summary']
                    self.set_id, self.arn = summary['Id'], summary.get('ARN')
                else:
                    request = dict(Name=self.name, Scope=self.scope, Id=self.set_id, Addresses=args['addresses'],
                                   LockToken=args['lock_token'])
                    if args['description'] is not None:
                        request['Description'] = args['description']
                    self.client.update_ip_set(**request)
                return
            except botocore.exceptions.ClientError as error:
                code = _aws.error_code(error)
                # Another writer was first: it changed (WAFOptimisticLockException), created
                # (WAFDuplicateItemException) or deleted (WAFNonexistentItemException) the set since the read.
                if code not in ('WAFOptimisticLockException', 'WAFDuplicateItemException', 'WAFNonexistentItemException'):
                    raise EgressError('AWS refused to %s %s: %s' % (kind, self.describe(), error))
            except botocore.exceptions.BotoCoreError as error:
                raise EgressError('Cannot reach AWS to %s %s: %s' % (kind, self.describe(), error))
            self._replan()
        raise EgressError('%s kept changing under this run (%d attempts); nothing was overwritten'
                          % (self.describe(), CONFLICT_RETRIES))

    def _replan(self):
        """Read the set again and plan again from what it holds now, with the guards of the first plan."""
        fresh = self.read()
        self.prepare(fresh, self._desired)
        target = _address_set.target_groups(self.state, fresh.elements, self._desired)
        plan = _address_set.Plan(fresh.elements, target, self.min_prefix, self.host_only)
        force = self.guards.get('force', False)
        if self.state == 'replaced':
            _address_set.check_removals(plan, self.guards.get('max_removals', _address_set.DEFAULT_MAX_REMOVALS),
                                        force, self.describe())
        _address_set.check_additions(plan, self.guards.get('max_additions'), force, self.describe())
        self.commands(fresh, plan)

    def remove_commands(self, current):
        return ['delete-ip-set name=%s scope=%s id=%s' % (self.name, self.scope, current.properties['id'])]

    def remove(self, current):
        for _attempt in range(CONFLICT_RETRIES):
            try:
                self.client.delete_ip_set(Name=self.name, Scope=self.scope, Id=current.properties['id'],
                                          LockToken=current.properties['lock_token'])
                return
            except botocore.exceptions.ClientError as error:
                code = _aws.error_code(error)
                if code == 'WAFAssociatedItemException':
                    raise EgressError('%s is still referenced by a web ACL or rule group; remove that reference first '
                                      '(nothing was deleted): %s' % (self.describe(), error))
                if code == 'WAFNonexistentItemException':
                    return  # someone else deleted it meanwhile
                if code != 'WAFOptimisticLockException':
                    raise EgressError('AWS refused to delete %s: %s' % (self.describe(), error))
            except botocore.exceptions.BotoCoreError as error:
                raise EgressError('Cannot reach AWS to delete %s: %s' % (self.describe(), error))
            current = self.read()
            if not current.exists:
                return
        raise EgressError('%s kept changing under this run (%d attempts); it was not deleted'
                          % (self.describe(), CONFLICT_RETRIES))

    def facts(self, current, plan):
        return dict(ip_set_id=self.set_id, ip_set_arn=self.arn, address_family=self.family, scope=self.scope)
