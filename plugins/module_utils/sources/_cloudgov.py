# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cloud.gov: two published egress addresses, bundled (there is no machine-readable feed)."""

from __future__ import annotations

import re

from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import (
    Snapshot, Source, describe_body, nonempty,
)

PAGE_URL = 'https://cloud.gov/docs/management/static-egress/'

SNAPSHOT = Snapshot(
    entries=['52.222.122.97/32', '52.222.123.172/32'],
    origin_url=PAGE_URL,
    recorded='2026-11-22',
    note='The "Connect to external services" section of the cloud.gov static egress page.',
)

_ADDRESS_RE = re.compile(r'(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?)(?![\d.])')


class CloudGov(Source):
    name = 'cloudgov'
    description = 'cloud.gov egress ranges (bundled; verify=true compares with the published page)'
    default_url = PAGE_URL
    options = {'verify': {'type': 'bool'}}
    snapshot = SNAPSHOT
    bundled_only = True

    def parse(self, body, url):
        """The page is HTML: take every IPv4 address or CIDR written in it."""
        text = body.decode('utf-8', 'replace')
        found = []
        for match in _ADDRESS_RE.findall(text):
            cidr = match if '/' in match else match + '/32'
            if cidr not in found:
                found.append(cidr)
        return nonempty(found, url, 'IPv4 addresses (%s)' % describe_body(body))

    def records(self, parsed, params, url):
        return [(entry, None) for entry in parsed]
