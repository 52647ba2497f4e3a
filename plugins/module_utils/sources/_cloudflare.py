# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cloudflare: the ips API (one JSON document for IPv4 and IPv6)."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, expect, load_json, nonempty, string_list,
)


class Cloudflare(Source):
    name = 'cloudflare'
    description = 'Cloudflare edge addresses (api.cloudflare.com/client/v4/ips)'
    default_url = 'https://api.cloudflare.com/client/v4/ips'

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict) and isinstance(data.get('result'), dict), url, 'the result object is missing')
        expect(data.get('success', True) is not False, url, 'success is false: %r' % (data.get('errors'),))
        result = data['result']
        entries = (string_list(result.get('ipv4_cidrs', []), url, 'ipv4_cidrs')
                   + string_list(result.get('ipv6_cidrs', []), url, 'ipv6_cidrs'))
        nonempty(entries, url)
        return data

    def records(self, parsed, params, url):
        result = parsed['result']
        return [(e, None) for e in result.get('ipv4_cidrs', []) + result.get('ipv6_cidrs', [])]

    def metadata(self, parsed):
        return {'etag': parsed['result'].get('etag')}
