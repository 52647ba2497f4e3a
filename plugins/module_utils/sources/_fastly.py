# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fastly public IP list."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, expect, load_json, nonempty, string_list,
)


class Fastly(Source):
    name = 'fastly'
    description = 'Fastly edge addresses (api.fastly.com/public-ip-list)'
    default_url = 'https://api.fastly.com/public-ip-list'

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict), url, 'expected an object with addresses and ipv6_addresses')
        entries = (string_list(data.get('addresses', []), url, 'addresses')
                   + string_list(data.get('ipv6_addresses', []), url, 'ipv6_addresses'))
        nonempty(entries, url)
        return entries

    def records(self, parsed, params, url):
        return [(e, None) for e in parsed]
