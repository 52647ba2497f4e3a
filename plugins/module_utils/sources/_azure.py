# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Azure Service Tags: the weekly ServiceTags_{Public,AzureGovernment,China}_YYYYMMDD.json download."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    DocumentRequest, Source, check_published, expect, load_json, matches, nonempty, string_list,
)

# The file's name and URL change every week; this page links to the current one.
DOWNLOAD_PAGE = 'https://www.microsoft.com/en-us/download/details.aspx?id=56519'


def _is_change_number(value):
    # An integer in the download; the Service Tags REST API returns the same document with a string.
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.isdigit())


class AzureServiceTags(Source):
    name = 'azure'
    description = 'Azure Service Tags (ServiceTags_Public_*.json, from url), filtered by tag name, service and region'
    options = {'name': {'type': 'list'}, 'service': {'type': 'list'}, 'region': {'type': 'list'}}

    def requests(self, params, url):
        if not url:
            raise EgressError('Source azure needs the url option: the Service Tags file changes its URL every week '
                              '(the current ServiceTags_Public_*.json is linked from %s), or a mirror of it' % DOWNLOAD_PAGE)
        if not any(params.get(k) for k in ('name', 'service', 'region')):
            # The whole file is every address of every Azure customer: never what an allowlist means.
            raise EgressError('Source azure needs name, service or region (for example name=ActionGroup): '
                              'the whole file is every Azure address')
        return [DocumentRequest(url)]

    def parse(self, body, url):
        data = load_json(body, url)
        expect(isinstance(data, dict), url, 'expected an object with changeNumber, cloud and values')
        expect(_is_change_number(data.get('changeNumber')), url,
               'changeNumber should be a number, got %r' % (data.get('changeNumber'),))
        expect(isinstance(data.get('cloud'), str) and data['cloud'], url, 'cloud should be a name, got %r' % (data.get('cloud'),))
        expect(isinstance(data.get('values'), list), url, 'the values list is missing')
        for index, tag in enumerate(data['values']):
            where = 'values[%d]' % index
            expect(isinstance(tag, dict) and isinstance(tag.get('name'), str) and tag['name'], url,
                   '%s needs a name string, got %r' % (where, tag))
            props = tag.get('properties')
            where = '%s (%s).properties' % (where, tag['name'])
            expect(isinstance(props, dict), url, '%s should be an object, got %r' % (where, props))
            for field in ('region', 'systemService'):
                expect(isinstance(props.get(field, ''), str), url,
                       '%s.%s should be a string, got %r' % (where, field, props.get(field)))
            string_list(props.get('addressPrefixes'), url, where + '.addressPrefixes')
        nonempty(data['values'], url, 'service tags')
        return data

    def records(self, parsed, params, url):
        tags = [(tag['name'], tag['properties']) for tag in parsed['values']]
        check_published(self.name, 'name', params.get('name') or [], set(name for name, _p in tags), url)
        check_published(self.name, 'service', params.get('service') or [],
                        set(p.get('systemService') for _n, p in tags if p.get('systemService')), url)
        check_published(self.name, 'region', params.get('region') or [],
                        set(p.get('region') for _n, p in tags if p.get('region')), url)
        out = []
        for name, props in tags:
            if (matches(params.get('name'), name) and matches(params.get('service'), props.get('systemService'))
                    and matches(params.get('region'), props.get('region'))):
                attrs = {'name': name, 'service': props.get('systemService') or None, 'region': props.get('region') or None}
                out.extend((prefix, attrs) for prefix in props['addressPrefixes'])
        return nonempty(out, url, 'prefixes for name=%s service=%s region=%s' % tuple(
            ','.join(params.get(k) or ['any']) for k in ('name', 'service', 'region')))

    def metadata(self, parsed):
        return {'change_number': parsed.get('changeNumber'), 'cloud': parsed.get('cloud')}
