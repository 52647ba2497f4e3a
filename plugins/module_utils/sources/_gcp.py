# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Google Cloud cloud.json."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, expect, load_json, matches, nonempty,
)


class GoogleCloud(Source):
    name = 'gcp'
    description = 'Google Cloud external IP ranges (cloud.json), filtered by scope (region) and service'
    default_url = 'https://www.gstatic.com/ipranges/cloud.json'
    options = {'scope': {'type': 'list'}, 'service': {'type': 'list'}}

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict) and isinstance(data.get('prefixes'), list), url, 'the prefixes list is missing')
        for item in data['prefixes']:
            expect(isinstance(item, dict) and isinstance(item.get('ipv4Prefix', item.get('ipv6Prefix')), str), url,
                   'every prefix needs ipv4Prefix or ipv6Prefix, got %r' % (item,))
        nonempty(data['prefixes'], url, 'prefixes')
        return data

    def records(self, parsed, params, url):
        out = []
        for item in parsed['prefixes']:
            if matches(params.get('scope'), item.get('scope')) and matches(params.get('service'), item.get('service')):
                out.append((item.get('ipv4Prefix') or item.get('ipv6Prefix'),
                            {'scope': item.get('scope'), 'service': item.get('service')}))
        return nonempty(out, url, 'prefixes for scope=%s service=%s' % (
            ','.join(params.get('scope') or ['any']), ','.join(params.get('service') or ['any'])))

    def metadata(self, parsed):
        return {'sync_token': parsed.get('syncToken'), 'create_date': parsed.get('creationTime')}
