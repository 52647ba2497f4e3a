# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Any other publisher: a URL, a format (text, json, csv) and a simple selector."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    DocumentRequest, Source, csv_rows, expect, load_json, nonempty, text_lines,
)

FORMATS = ('text', 'json', 'csv')


def guess_format(url):
    path = url.split('?', 1)[0].lower()
    for fmt in ('json', 'csv'):
        if path.endswith('.' + fmt):
            return fmt
    return 'text'


def select_json(data, selector, url):
    """Walk a dotted path; `name[]` iterates a list (e.g. `prefixes[].ip_prefix`)."""
    values = [data]
    for part in [p for p in (selector or '').split('.') if p]:
        iterate = part.endswith('[]')
        key = part[:-2] if iterate else part
        found = []
        for value in values:
            if key:
                expect(isinstance(value, dict) and key in value, url, 'selector %r: no key %r' % (selector, key))
                value = value[key]
            if iterate:
                expect(isinstance(value, list), url, 'selector %r: %r is not a list' % (selector, key or part))
                found.extend(value)
            else:
                found.append(value)
        values = found
    if len(values) == 1 and isinstance(values[0], list):
        values = values[0]
    for value in values:
        expect(isinstance(value, str), url, 'selector %r selects %r, which is not an address string' % (selector, value))
    return values


class Custom(Source):
    name = 'custom'
    description = 'Any list: url plus format (text, json, csv) and selector'
    options = {'format': {'type': 'str', 'choices': list(FORMATS)}, 'selector': {'type': 'str'}}

    def requests(self, params, url):
        if not url:
            raise EgressError('Source custom needs the url option')
        fmt = params.get('format') or guess_format(url)
        if fmt not in FORMATS:
            raise EgressError('Invalid format %r for source custom: valid values are %s' % (fmt, ', '.join(FORMATS)))
        self._format = fmt
        self._selector = params.get('selector')
        return [DocumentRequest(url, label=fmt)]

    def parse(self, body, url):
        if self._format == 'json':
            entries = select_json(load_json(body, url), self._selector, url)
        elif self._format == 'csv':
            entries = self._csv(body, url)
        else:
            entries = text_lines(body, url)
        return nonempty(entries, url)

    def _csv(self, body, url):
        rows = csv_rows(body, url)
        selector = self._selector or '0'
        if selector.isascii() and selector.isdigit():
            index = int(selector)
        else:
            expect(rows and selector in rows[0], url, 'no column %r in the header row' % selector)
            index = rows[0].index(selector)
            rows = rows[1:]
        expect(all(len(row) > index for row in rows), url, 'some rows have no column %s' % selector)
        return [row[index].strip() for row in rows]

    def records(self, parsed, params, url):
        return [(entry, None) for entry in parsed]
