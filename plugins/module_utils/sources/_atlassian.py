# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Atlassian ip-ranges."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, expect, load_json, matches, nonempty,
)


class Atlassian(Source):
    name = 'atlassian'
    description = 'Atlassian cloud IP ranges, filtered by product, direction and region'
    default_url = 'https://ip-ranges.atlassian.com/'
    options = {'product': {'type': 'list'}, 'direction': {'type': 'list'}, 'region': {'type': 'list'}}

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict) and isinstance(data.get('items'), list), url, 'the items list is missing')
        for item in data['items']:
            expect(isinstance(item, dict) and isinstance(item.get('cidr'), str), url,
                   'every item needs a cidr string, got %r' % (item,))
        nonempty(data['items'], url, 'items')
        return data

    def records(self, parsed, params, url):
        out = []
        for item in parsed['items']:
            if (matches(params.get('product'), item.get('product') or []) and matches(params.get('direction'), item.get('direction') or [])
                    and matches(params.get('region'), item.get('region') or [])):
                out.append((item['cidr'], {'product': item.get('product'), 'direction': item.get('direction'),
                                           'region': item.get('region')}))
        return nonempty(out, url, 'items for product=%s direction=%s region=%s' % tuple(
            ','.join(params.get(k) or ['any']) for k in ('product', 'direction', 'region')))

    def metadata(self, parsed):
        return {'sync_token': parsed.get('syncToken'), 'create_date': parsed.get('creationDate')}
