# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GitHub meta API."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    DocumentRequest, Source, expect, load_json, nonempty,
)


class GitHubMeta(Source):
    name = 'github'
    description = 'GitHub service addresses from the meta API (key: hooks, actions, web, api, git, ...)'
    default_url = 'https://api.github.com/meta'
    options = {'key': {'type': 'list'}}

    def requests(self, params, url):
        if not params.get('key'):
            raise EgressError('Source github needs the key option (for example hooks, actions, web, api, git)')
        return [DocumentRequest(url or self.default_url, headers={'Accept': 'application/vnd.github+json'})]

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict), url, 'expected an object of address lists')
        return data

    def records(self, parsed, params, url):
        address_keys = sorted(k for k, v in parsed.items() if isinstance(v, list) and k not in ('domains', 'ssh_keys'))
        out = []
        for key in params['key']:
            if key not in address_keys:
                raise EgressError('Invalid key %r for source github: %s lists %s' % (key, url, ', '.join(address_keys)))
            for entry in parsed[key]:
                expect(isinstance(entry, str), url, '%s should hold strings, got %r' % (key, entry))
                out.append((entry, {'key': key}))
        return nonempty(out, url, 'addresses for key=%s' % ','.join(params['key']))
