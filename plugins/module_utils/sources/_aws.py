# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWS ip-ranges.json."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Source, expect, load_json, matches, nonempty,
)


class AwsIpRanges(Source):
    name = 'aws'
    description = 'AWS IP address ranges (ip-ranges.json), filtered by region, service and network border group'
    default_url = 'https://ip-ranges.amazonaws.com/ip-ranges.json'
    options = {'region': {'type': 'list'}, 'service': {'type': 'list'}, 'network_border_group': {'type': 'list'}}

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict), url, 'expected an object with prefixes and ipv6_prefixes')
        expect(isinstance(data.get('prefixes'), list), url, 'the prefixes list is missing')
        expect(isinstance(data.get('ipv6_prefixes', []), list), url, 'ipv6_prefixes should be a list')
        for key, field in (('prefixes', 'ip_prefix'), ('ipv6_prefixes', 'ipv6_prefix')):
            for item in data.get(key, []):
                expect(isinstance(item, dict) and isinstance(item.get(field), str), url,
                       'every %s entry needs a %s string, got %r' % (key, field, item))
        nonempty(data['prefixes'] + data.get('ipv6_prefixes', []), url, 'prefixes')
        return data

    def records(self, parsed, params, url):
        out = []
        for key, field in (('prefixes', 'ip_prefix'), ('ipv6_prefixes', 'ipv6_prefix')):
            for item in parsed.get(key, []):
                if (matches(params.get('region'), item.get('region')) and matches(params.get('service'), item.get('service'))
                        and matches(params.get('network_border_group'), item.get('network_border_group'))):
                    out.append((item[field], {'region': item.get('region'), 'service': item.get('service'),
                                              'network_border_group': item.get('network_border_group')}))
        return nonempty(out, url, 'prefixes for region=%s service=%s network_border_group=%s' % tuple(
            ','.join(params.get(k) or ['any']) for k in ('region', 'service', 'network_border_group')))

    def metadata(self, parsed):
        return {'sync_token': parsed.get('syncToken'), 'create_date': parsed.get('createDate')}
