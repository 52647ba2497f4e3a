# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Okta: ip_ranges.json, the addresses of each cell (the cluster an org runs in: us_cell_1, emea_cell_2, ...)."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, check_published, expect, load_json, matches, nonempty, string_list,
)


class Okta(Source):
    name = 'okta'
    description = 'Okta IP ranges (okta-ip-ranges/ip_ranges.json), filtered by cell'
    default_url = 'https://s3.amazonaws.com/okta-ip-ranges/ip_ranges.json'
    options = {'cell': {'type': 'list'}}

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict) and data, url, 'expected an object of cells, each with ip_ranges')
        for cell, value in data.items():
            expect(isinstance(value, dict) and 'ip_ranges' in value, url,
                   '%s should be an object with ip_ranges, got %r' % (cell, value))
            string_list(value['ip_ranges'], url, '%s.ip_ranges' % cell)
        return data

    def records(self, parsed, params, url):
        check_published(self.name, 'cell', params.get('cell') or [], parsed, url)
        out = []
        for cell in sorted(parsed):
            if matches(params.get('cell'), cell):
                out.extend((prefix, {'cell': cell}) for prefix in parsed[cell]['ip_ranges'])
        return nonempty(out, url, 'ip_ranges for cell=%s' % ','.join(params.get('cell') or ['any']))
