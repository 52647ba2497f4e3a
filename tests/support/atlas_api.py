# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An emulator of the documented MongoDB Atlas access-list APIs, over real HTTPS on loopback (trustme).

Atlas cannot run here, so this server implements what the module uses, as the public docs describe it:
- Admin API v2 project access list: GET (paginated: pageNum, itemsPerPage, totalCount),
  POST a list of {cidrBlock|ipAddress, comment}, DELETE /accessList/{url-encoded entry}; HTTP Digest with
  an API key pair, or a Bearer token from POST /api/oauth/token (service account client credentials);
  the versioned Accept header; error bodies {detail, error, errorCode, parameters, reason}.
- App Services admin API v3.0: POST /auth/providers/mongodb-cloud/login (API key) -> access_token;
  GET/POST /groups/{g}/apps/{a}/security/access_list, PATCH and DELETE .../access_list/{_id}; Bearer.
It records every request, and can answer 429 with Retry-After to the next N requests.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import os
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

import trustme

from tests.support.https_server import serve_tls

ACCEPT = 'application/vnd.atlas.2023-01-01+json'
REALM = 'MMS Public API'


def _md5(text):
    return hashlib.md5(text.encode('utf-8')).hexdigest()  # nosec - HTTP Digest (RFC 2617) is MD5 by definition


def _canonical(value):
    network = ipaddress.ip_network(value, strict=False)
    if str(network.network_address) != value.split('/')[0] and '/' in value:
        raise ValueError(value)
    return str(network)


class AtlasApi(object):
    def __init__(self, public_key='pubkey', private_key='privkey', client_id='mdb_sa_id', client_secret='secret',
                 group_id='5f1a2b3c4d5e6f7a8b9c0d1e', app_id='app0123', page_size=None):
        self.keys = {public_key: private_key}
        self.clients = {client_id: client_secret}
        self.group_id = group_id
        self.app_id = app_id
        self.page_size = page_size  # force small pages to exercise pagination
        self.project = {}  # cidr -> comment
        self.app = {}  # _id -> {address, comment}
        self.tokens = set()
        self.requests = []
        self.throttle = 0
        self._lock = threading.Lock()
        self.ca = trustme.CA()
        self._server = None

    # -- test helpers -------------------------------------------------------
    def url(self):
        return 'https://127.0.0.1:%d' % self._server.server_address[1]

    def write_ca(self, path):
        self.ca.cert_pem.write_to_path(path)
        return path

    def add_app_entry(self, address, comment=''):
        self.app[uuid.uuid4().hex[:24]] = {'address': address, 'comment': comment}

    def writes(self):
        return [r for r in self.requests if r['method'] != 'GET' and 'login' not in r['path'] and 'oauth' not in r['path']]

    # -- server -------------------------------------------------------------
    def start(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _body(self):
                length = int(self.headers.get('Content-Length') or 0)
                raw = self.rfile.read(length) if length else b''
                if not raw:
                    return None
                if self.headers.get('Content-Type', '').startswith('application/x-www-form-urlencoded'):
                    return dict(urllib.parse.parse_qsl(raw.decode('utf-8')))
                return json.loads(raw)

            def _send(self, status, body=None, headers=None):
                data = b'' if body is None else json.dumps(body).encode('utf-8')
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status, code, detail, parameters=()):
                self._send(status, {'detail': detail, 'error': status, 'errorCode': code,
                                    'parameters': list(parameters), 'reason': self.responses[status][0]})

            def _handle(self, method):
                body = self._body()
                parsed = urllib.parse.urlsplit(self.path)
                with api._lock:
                    api.requests.append({'method': method, 'path': parsed.path, 'query': parsed.query, 'body': body,
                                         'headers': dict(self.headers)})
                    throttled = api.throttle > 0
                    if throttled:
                        api.throttle -= 1
                if throttled:
                    return self._send(429, {'detail': 'Too many requests', 'error': 429, 'errorCode': 'RATE_LIMITED',
                                            'parameters': [], 'reason': 'Too Many Requests'}, {'Retry-After': '1'})
                path = parsed.path
                if path == '/api/oauth/token' and method == 'POST':
                    return self._token()
                if path == '/api/admin/v3.0/auth/providers/mongodb-cloud/login' and method == 'POST':
                    return self._login(body)
                project = '/api/atlas/v2/groups/%s/accessList' % api.group_id
                app = '/api/admin/v3.0/groups/%s/apps/%s/security/access_list' % (api.group_id, api.app_id)
                if path == project or path.startswith(project + '/'):
                    if not self._atlas_auth(method, self.path):
                        return None
                    if self.headers.get('Accept') != ACCEPT:
                        return self._error(406, 'INVALID_VERSION', 'Accept must be %s' % ACCEPT)
                    return self._project(method, path[len(project):], parsed.query, body)
                if path == app or path.startswith(app + '/'):
                    if not self._bearer():
                        return self._send(401, {'error': 'invalid session', 'error_code': 'InvalidSession'})
                    return self._app(method, path[len(app):], body)
                return self._error(404, 'RESOURCE_NOT_FOUND', 'No resource at %s' % path)

            def do_GET(self):
                self._handle('GET')

            def do_POST(self):
                self._handle('POST')

            def do_PATCH(self):
                self._handle('PATCH')

            def do_DELETE(self):
                self._handle('DELETE')

            # -- authentication ----------------------------------------------
            def _token(self):
                auth = self.headers.get('Authorization', '')
                try:
                    client_id, secret = base64.b64decode(auth.split(' ', 1)[1]).decode().split(':', 1)
                except (IndexError, ValueError):
                    client_id, secret = None, None
                if api.clients.get(client_id) != secret or secret is None:
                    return self._send(401, {'error': 'invalid_client'})
                token = uuid.uuid4().hex
                api.tokens.add(token)
                return self._send(200, {'access_token': token, 'token_type': 'Bearer', 'expires_in': 3600})

            def _login(self, body):
                body = body or {}
                if api.keys.get(body.get('username')) != body.get('apiKey') or body.get('apiKey') is None:
                    return self._send(401, {'error': 'failed to authenticate with MongoDB Cloud API: You are not '
                                                     'authorized for this resource.', 'error_code': 'InvalidSession'})
                token = uuid.uuid4().hex
                api.tokens.add(token)
                return self._send(200, {'access_token': token, 'refresh_token': 'r', 'user_id': 'u', 'device_id': 'd'})

            def _bearer(self):
                auth = self.headers.get('Authorization', '')
                return auth.startswith('Bearer ') and auth[7:] in api.tokens

            def _atlas_auth(self, method, uri):
                auth = self.headers.get('Authorization', '')
                if self._bearer():
                    return True
                if auth.startswith('Digest '):
                    fields = dict((k.strip(), v.strip().strip('"')) for k, v in
                                  (part.split('=', 1) for part in auth[7:].split(',') if '=' in part))
                    secret = api.keys.get(fields.get('username'))
                    if secret is not None:
                        ha1 = _md5('%s:%s:%s' % (fields['username'], REALM, secret))
                        ha2 = _md5('%s:%s' % (method, fields.get('uri', uri)))
                        parts = (ha1, fields.get('nonce'), fields.get('nc'), fields.get('cnonce'), fields.get('qop'), ha2)
                        expected = _md5('%s:%s:%s:%s:%s:%s' % parts)
                        if fields.get('response') == expected and fields.get('uri') == uri:
                            return True
                nonce = base64.b64encode(os.urandom(12)).decode()
                self._send(401, {'detail': 'You are not authorized for this resource.', 'error': 401,
                                 'errorCode': 'NOT_IN_GROUP' if auth else 'UNAUTHORIZED', 'parameters': [],
                                 'reason': 'Unauthorized'},
                           {'WWW-Authenticate': 'Digest realm="%s", domain="", nonce="%s", algorithm=MD5, qop="auth", '
                                                'stale=false' % (REALM, nonce)})
                return False

            # -- Admin API v2 project access list ------------------------------
            def _project(self, method, rest, query, body):
                if method == 'GET' and not rest:
                    params = urllib.parse.parse_qs(query)
                    page = int(params.get('pageNum', ['1'])[0])
                    size = min(int(params.get('itemsPerPage', ['100'])[0]), api.page_size or 500)
                    entries = sorted(api.project.items())
                    chunk = entries[(page - 1) * size:page * size]
                    results = []
                    for cidr, comment in chunk:
                        item = {'cidrBlock': cidr, 'comment': comment, 'groupId': api.group_id}
                        if cidr.endswith('/32') or cidr.endswith('/128'):
                            item['ipAddress'] = cidr.split('/')[0]
                        results.append(item)
                    return self._send(200, {'results': results, 'totalCount': len(entries), 'links': []})
                if method == 'POST' and not rest:
                    if not isinstance(body, list):
                        return self._error(400, 'INVALID_JSON', 'Expected a list of entries')
                    added = {}
                    for entry in body:
                        value = entry.get('cidrBlock') or entry.get('ipAddress')
                        try:
                            cidr = _canonical(value if '/' in value else value + ('/128' if ':' in value else '/32'))
                        except (ValueError, TypeError):
                            return self._error(400, 'INVALID_IP_ADDRESS_OR_CIDR_NOTATION',
                                               'The address %s must be in valid IP address or CIDR notation.' % value,
                                               [value])
                        added[cidr] = entry.get('comment', '')
                    if len(set(api.project) | set(added)) > 200:
                        return self._error(409, 'ACCESS_LIST_MAX_ENTRIES', 'At most 200 entries per project')
                    api.project.update(added)
                    return self._project('GET', '', 'itemsPerPage=500', None)
                if method == 'DELETE' and rest:
                    value = urllib.parse.unquote(rest[1:])
                    key = value if '/' in value else value + ('/128' if ':' in value else '/32')
                    if key not in api.project:
                        return self._error(404, 'ACCESS_LIST_ENTRY_NOT_FOUND', 'No entry %s' % value, [value])
                    del api.project[key]
                    return self._send(204)
                return self._error(405, 'METHOD_NOT_ALLOWED', '%s %s' % (method, rest))

            # -- App Services access list -------------------------------------
            def _app(self, method, rest, body):
                if method == 'GET' and not rest:
                    return self._send(200, [dict(entry, _id=key) for key, entry in sorted(api.app.items())])
                if method == 'POST' and not rest:
                    key = uuid.uuid4().hex[:24]
                    api.app[key] = {'address': body['address'], 'comment': body.get('comment', '')}
                    return self._send(201, dict(api.app[key], _id=key))
                key = rest[1:]
                if key not in api.app:
                    return self._send(404, {'error': 'entry not found', 'error_code': 'AccessListEntryNotFound'})
                if method == 'PATCH':
                    api.app[key].update(dict((k, v) for k, v in body.items() if k in ('address', 'comment')))
                    return self._send(204)
                if method == 'DELETE':
                    del api.app[key]
                    return self._send(204)
                return self._send(405, {'error': 'method not allowed'})

        self._server = serve_tls(Handler, self.ca)
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
