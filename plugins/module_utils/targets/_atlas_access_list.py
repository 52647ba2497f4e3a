# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""MongoDB Atlas backend: a project's IP access list (Admin API v2) or an App Services app's access list.

Ownership: entries this module writes carry a comment that starts with `managed_comment_prefix`; unless
`exclusive`, a `replaced` sync only ever removes those, and leaves entries that people added by hand.
"""

from __future__ import annotations

import time
import urllib.parse

from ansible.module_utils.basic import env_fallback

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _files, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target, TargetInfo
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._http import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, RetryPolicy, new_session,
)

if HAS_REQUESTS:
    import requests
    import requests.auth

TARGETS = ('project', 'app_services')
STATES = ('replaced', 'merged', 'deleted', 'gathered', 'rendered')
ACCEPT = 'application/vnd.atlas.2023-01-01+json'
BASE_URLS = {'project': 'https://cloud.mongodb.com', 'app_services': 'https://services.cloud.mongodb.com'}
PROJECT_LIMIT = 200  # Atlas's documented maximum of access list entries per project
PAGE = 500
ALLOW_ALL = ('0.0.0.0/0', '::/0')
COMMENT_MAX = 80
DEFAULT_PREFIX = 'allowlist.egress'
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_MAX_RETRY_WAIT = 120.0
SERVER_ERRORS = tuple(range(500, 600))


def argument_spec():
    spec = _address_set.argument_spec(persist=False)
    spec['state'] = dict(type='str', default='replaced', choices=list(STATES))
    spec.update(
        target=dict(type='str', required=True, choices=list(TARGETS)),
        group_id=dict(type='str', required=True),
        app_id=dict(type='str'),
        public_key=dict(type='str', fallback=(env_fallback, ['MONGODB_ATLAS_PUBLIC_KEY'])),
        private_key=dict(type='str', no_log=True, fallback=(env_fallback, ['MONGODB_ATLAS_PRIVATE_KEY'])),
        client_id=dict(type='str', fallback=(env_fallback, ['MONGODB_ATLAS_CLIENT_ID'])),
        client_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['MONGODB_ATLAS_CLIENT_SECRET'])),
        base_url=dict(type='str'),
        comment=dict(type='str'),
        managed_comment_prefix=dict(type='str', default=DEFAULT_PREFIX),
        exclusive=dict(type='bool', default=False),
        remove_allow_all=dict(type='bool', default=False),
        timeout=dict(type='float', default=DEFAULT_TIMEOUT),
        retries=dict(type='int', default=DEFAULT_RETRIES),
        max_retry_wait=dict(type='float', default=DEFAULT_MAX_RETRY_WAIT),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
    )
    return spec


class AtlasClient(object):
    """HTTP to Atlas: authentication, the versioned Accept header, 429/503 with Retry-After, error bodies."""

    def __init__(self, target, base_url=None, public_key=None, private_key=None, client_id=None, client_secret=None,
                 timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, max_retry_wait=DEFAULT_MAX_RETRY_WAIT,
                 validate_certs=True, ca_path=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise EgressError('The Python library requests is required (pip install requests): %s' % REQUESTS_IMPORT_ERROR)
        self.target = target
        self.base_url = (base_url or BASE_URLS[target]).rstrip('/')
        self.timeout = timeout
        # Atlas answers 429 when rate-limited and any 5xx is worth another try; 1, 2, 4 ... seconds apart.
        self.retry = RetryPolicy(timeout, retries, 1.0, max_retry_wait, retry_statuses=SERVER_ERRORS, sleep=sleep)
        self.verify = ca_path if (validate_certs and ca_path) else validate_certs
        self.session = new_session()
        if target == 'project':
            self.session.headers['Accept'] = ACCEPT
        if public_key and private_key:
            if target == 'project':
                self.session.auth = requests.auth.HTTPDigestAuth(public_key, private_key)
            else:
                token = self._json('POST', '/api/admin/v3.0/auth/providers/mongodb-cloud/login', 'logging in',
                                   json={'username': public_key, 'apiKey': private_key})['access_token']
                self.session.headers['Authorization'] = 'Bearer %s' % token
        elif client_id and client_secret and target == 'project':
            token = self._json('POST', '/api/oauth/token', 'getting a service account token',
                               data={'grant_type': 'client_credentials'}, auth=(client_id, client_secret))['access_token']
            self.session.headers['Authorization'] = 'Bearer %s' % token
        else:
            raise EgressError('No Atlas credentials: set public_key and private_key (or MONGODB_ATLAS_PUBLIC_KEY and '
                              'MONGODB_ATLAS_PRIVATE_KEY)%s' % (', or client_id and client_secret for a service account'
                                                                if target == 'project' else ''))

    def _json(self, method, path, what, **kwargs):
        response = self.request(method, path, what, **kwargs)
        return response.json() if response.content else None

    def request(self, method, path, what, **kwargs):
        url = self.base_url + path

        def attempt(deadline):
            response = self.session.request(method, url, timeout=self.timeout, verify=self.verify, **kwargs)
            if deadline.expired:  # the body was read too: the timeout bounds the whole request
                raise self.retry.too_slow()
            if response.status_code < 400:
                return response
            problem = _describe_error(response)
            self.retry.check_status(response, problem)
            raise EgressError('Atlas refused %s (%s %s): %s' % (what, method, path, problem))

        def tls_error(error):
            return EgressError('Atlas at %s: TLS error (%s); set ca_path, or validate_certs=false' % (self.base_url, error))

        def beyond_budget(problem, wait):
            return EgressError('Atlas refused %s (%s): %s, and asks to retry after %ds, beyond max_retry_wait (%ds)'
                               % (what, method, problem, wait, self.retry.max_retry_wait))

        def gave_up(problem, attempts):
            return EgressError('Atlas failed %s after %d attempts: %s' % (what, attempts, problem))

        return self.retry.run(attempt, tls_error, beyond_budget, gave_up)


def _describe_error(response):
    try:
        body = response.json()
    except ValueError:
        return 'HTTP %d' % response.status_code
    if isinstance(body, dict):
        code = body.get('errorCode') or body.get('error_code') or ''
        detail = body.get('detail') or body.get('error') or ''
        return 'HTTP %d %s: %s' % (response.status_code, code, detail)
    return 'HTTP %d' % response.status_code


class AtlasAccessList(Target):

    TARGET_INFO = TargetInfo('allowlist.egress.atlas_access_list', name_option='group_id', family_option=None,
                             family_values=None, persist=False)

    def __init__(self, client_factory, target, group_id, app_id=None, prefix=DEFAULT_PREFIX, exclusive=False,
                 remove_allow_all=False):
        if target == 'app_services' and not app_id:
            raise EgressError('target=app_services needs app_id')
        if not prefix:
            raise EgressError('managed_comment_prefix must not be empty: it is how this module knows its entries')
        self._client_factory = client_factory
        self._client = None
        self.target = target
        self.group_id = group_id
        self.app_id = app_id
        self.prefix = prefix
        self.exclusive = exclusive
        self.remove_allow_all = remove_allow_all
        self._steps = []
        self.unmanaged = []
        self.allow_all = []

    @property
    def client(self):
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def _path(self, rest=''):
        quoted_group = urllib.parse.quote(self.group_id, safe='')
        if self.target == 'project':
            return '/api/atlas/v2/groups/%s/accessList%s' % (quoted_group, rest)
        return '/api/admin/v3.0/groups/%s/apps/%s/security/access_list%s' % (
            quoted_group, urllib.parse.quote(self.app_id, safe=''), rest)

    def describe(self):
        if self.target == 'project':
            return 'Atlas project %s access list' % self.group_id
        return 'App Services app %s access list' % self.app_id

    def lock_path(self):
        return _files.default_lock_path('atlas_access_list', self.group_id, self.app_id or 'project')

    @classmethod
    def comment_checker(cls, options):
        # The limit counts the prefix; nothing connects until the client is used.
        return cls(None, 'project', None, prefix=options.get('managed_comment_prefix', DEFAULT_PREFIX)).check_comment

    def check_comment(self, comment, where):
        if len(self._stored(comment)) > COMMENT_MAX:
            raise EgressError('Invalid comment at %s: with the prefix %r it is longer than the %d characters Atlas keeps'
                              % (where, self.prefix, COMMENT_MAX))

    def _stored(self, comment):
        return '%s: %s' % (self.prefix, comment) if comment else self.prefix

    def _owned(self, stored):
        return (stored or '').startswith(self.prefix)

    def _user_comment(self, stored):
        if stored == self.prefix:
            return None
        return stored[len(self.prefix) + 2:] if stored.startswith(self.prefix + ': ') else stored

    # -- reading ----------------------------------------------------------
    def read(self):
        raw = self._list()
        elements, self.unmanaged, self.allow_all = [], [], []
        for address, stored, token in raw:
            interval = _intervals.parse(address, source=self.describe(), strict=False)[0]
            element = _address_set.Element(interval[0], interval[1], interval[2], None, token)
            cidr = _intervals.describe(interval)
            if cidr in ALLOW_ALL:
                self.allow_all.append((cidr, token, stored))
            if self.state == 'gathered':
                elements.append(element._replace(comment=stored or None))  # as Atlas stores it
            elif self.exclusive or self._owned(stored):
                elements.append(element._replace(comment=self._user_comment(stored) if self._owned(stored) else stored))
            else:
                self.unmanaged.append((cidr, token, stored))
        return _address_set.Current(True, elements, dict(count=len(raw)))

    def _list(self):
        if self.target == 'app_services':
            items = self.client._json('GET', self._path(), 'reading the access list') or []
            return [(item['address'], item.get('comment', ''), item['_id']) for item in items]
        entries, page = [], 1
        while True:
            body = self.client._json('GET', self._path(), 'reading the access list',
                                     params={'pageNum': page, 'itemsPerPage': PAGE})
            results = body.get('results', [])
            # DELETE names an entry by its IP address when it has one, else by its CIDR block; entries that are AWS
            # security groups have neither and are not addresses this module manages.
            entries += [(item.get('cidrBlock') or item.get('ipAddress'), item.get('comment', ''),
                         item.get('ipAddress') or item.get('cidrBlock')) for item in results
                        if item.get('cidrBlock') or item.get('ipAddress')]
            if not results or len(entries) >= body.get('totalCount', 0):
                return entries
            page += 1

    # -- planning ---------------------------------------------------------
    def prepare(self, current, desired):
        self._desired = desired

    def commands(self, current, plan):
        unmanaged_cidrs = set(entry[0] for entry in self.unmanaged)
        adds = [(_intervals.cidr_text(p), c) for p, c in plan.add]
        # An address already on the list by hand stays as it is, owned by whoever added it.
        self.kept_unmanaged = sorted(add[0] for add in adds if add[0] in unmanaged_cidrs)
        adds = [(c, d) for c, d in adds if c not in unmanaged_cidrs]
        readded = set(add[0] for add in adds)
        deletes = [(e.token, _intervals.describe(e.interval)) for e in plan.delete]
        steps = []
        self.removed_allow_all = False
        if self.remove_allow_all:
            for cidr, token, _stored in self.allow_all:
                if cidr not in readded and token not in [delete[0] for delete in deletes]:
                    deletes.append((token, cidr))
                    self.removed_allow_all = True
        if current is not None and self.target == 'project':
            total = current.properties['count'] - len([d for d in deletes if d[1] not in readded]) + len(
                [a for a in adds if a[0] not in set(d[1] for d in deletes)])
            if total > PROJECT_LIMIT:
                raise EgressError('%s would hold %d entries, more than the %d Atlas allows per project; nothing was '
                                  'changed' % (self.describe(), total, PROJECT_LIMIT))
        by_cidr = dict((cidr, token) for token, cidr in deletes)
        for token, cidr in deletes:
            if cidr in readded:
                continue  # its comment changes: updated below, never removed
            steps.append(('delete', dict(token=token, cidr=cidr)))
        if self.target == 'project':
            if adds:
                steps.append(('post', dict(entries=adds)))
        else:
            for cidr, comment in adds:
                if cidr in by_cidr:
                    steps.append(('patch', dict(token=by_cidr[cidr], cidr=cidr, comment=comment)))
                else:
                    steps.append(('post', dict(entries=[(cidr, comment)])))
        self._steps = steps
        return [self._render(kind, args) for kind, args in steps]

    def _render(self, kind, args):
        if kind == 'delete':
            return 'DELETE %s' % self._path('/' + urllib.parse.quote(args['token'], safe=''))
        if kind == 'patch':
            return 'PATCH %s %s' % (self._path('/' + args['token']), args['cidr'])
        return 'POST %s %s' % (self._path(), ','.join(entry[0] for entry in args['entries']))

    # -- changing Atlas ---------------------------------------------------
    def apply(self, current, plan):
        for kind, args in self._steps:
            if kind == 'delete':
                self.client.request('DELETE', self._path('/' + urllib.parse.quote(args['token'], safe='')),
                                    'removing %s' % args['cidr'])
            elif kind == 'patch':
                self.client.request('PATCH', self._path('/' + args['token']), 'updating %s' % args['cidr'],
                                    json={'address': _app_address(args['cidr']), 'comment': self._stored(args['comment'])})
            elif self.target == 'project':
                body = [_project_entry(c, self._stored(d)) for c, d in args['entries']]
                self.client.request('POST', self._path(), 'adding %s' % ', '.join(entry[0] for entry in args['entries']),
                                    json=body, headers={'Content-Type': ACCEPT})
            else:
                cidr, comment = args['entries'][0]
                self.client.request('POST', self._path(), 'adding %s' % cidr,
                                    json={'address': _app_address(cidr), 'comment': self._stored(comment)})

    def remove_commands(self, current):
        raise EgressError('state=absent does not apply to an Atlas access list')

    def remove(self, current):
        raise EgressError('state=absent does not apply to an Atlas access list')

    def facts(self, current, plan):
        return dict(removed_allow_all=self.removed_allow_all, kept_unmanaged=self.kept_unmanaged,
                    unmanaged=[dict(address=entry[0], comment=entry[2]) for entry in self.unmanaged])


def _project_entry(cidr, comment):
    if cidr.endswith('/32') or cidr.endswith('/128'):
        return {'ipAddress': cidr.rsplit('/', 1)[0], 'comment': comment}
    return {'cidrBlock': cidr, 'comment': comment}


def _app_address(cidr):
    return cidr.rsplit('/', 1)[0] if cidr.endswith('/32') or cidr.endswith('/128') else cidr
