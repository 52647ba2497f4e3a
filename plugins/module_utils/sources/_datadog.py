# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Datadog: ip-ranges.<site>, one object per kind of traffic (webhooks, synthetics, api, ...)."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, check_published, expect, load_json, nonempty, string_list,
)

FAMILIES = ('prefixes_ipv4', 'prefixes_ipv6')


class Datadog(Source):
    name = 'datadog'
    description = 'Datadog IP ranges (ip-ranges.datadoghq.com); key (required) such as webhooks, synthetics, api'
    default_url = 'https://ip-ranges.datadoghq.com/'
    options = {'key': {'type': 'list'}}

    def requests(self, params, url):
        if not params.get('key'):
            # Sections are of opposite directions: where Datadog connects from (webhooks, synthetics) and where
            # agents send to (api, logs, ...). Which one the user means cannot be guessed.
            raise EgressError('Source datadog needs the key option (for example webhooks or synthetics)')
        return Source.requests(self, params, url)

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict), url, 'expected an object with version, modified and one object per key')
        expect(isinstance(data.get('version'), int) and not isinstance(data['version'], bool), url,
               'version should be a number, got %r' % (data.get('version'),))
        expect(isinstance(data.get('modified'), str), url, 'modified should be a string, got %r' % (data.get('modified'),))
        sections = {}
        for key, value in data.items():
            if isinstance(value, dict) and any(family in value for family in FAMILIES):
                sections[key] = [(family, prefix) for family in FAMILIES
                                 for prefix in string_list(value.get(family, []), url, '%s.%s' % (key, family))]
        expect(sections, url, 'no key holds prefixes_ipv4 or prefixes_ipv6')
        return {'version': data['version'], 'modified': data['modified'], 'sections': sections}

    def records(self, parsed, params, url):
        check_published(self.name, 'key', params['key'], parsed['sections'], url)
        out = []
        for key in params['key']:
            out.extend((prefix, {'key': key}) for _family, prefix in parsed['sections'][key])
        return nonempty(out, url, 'prefixes for key=%s' % ','.join(params['key']))

    def metadata(self, parsed):
        return {'version': parsed['version'], 'modified': parsed['modified']}
