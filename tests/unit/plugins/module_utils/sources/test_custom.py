# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The custom source: text, JSON and CSV documents, with selectors."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import get_source
from tests.support.sources import records


def test_custom_formats_and_selectors():
    assert records('custom', '# list\n192.0.2.1\n\n198.51.100.0/24 # office\n', url='https://m.test/ips.txt')[0] == [
        '192.0.2.1', '198.51.100.0/24']
    doc = json.dumps({'data': {'prefixes': [{'ip_prefix': '192.0.2.0/24'}, {'ip_prefix': '198.51.100.0/24'}]}})
    assert records('custom', doc, {'selector': 'data.prefixes[].ip_prefix'}, url='https://m.test/x.json')[0] == [
        '192.0.2.0/24', '198.51.100.0/24']
    assert records('custom', '["192.0.2.1"]', url='https://m.test/x.json')[0] == ['192.0.2.1']
    assert records('custom', 'name,cidr\na,192.0.2.0/24\nb,198.51.100.0/24\n', {'selector': 'cidr'},
                   url='https://m.test/x.csv')[0] == ['192.0.2.0/24', '198.51.100.0/24']
    assert records('custom', '192.0.2.1,x\n', url='https://m.test/x.csv')[0] == ['192.0.2.1']
    # A column named '\u00b2' is a name (str.isdigit() is true of it, int() refuses it).
    assert records('custom', 'name,\u00b2\na,192.0.2.0/24\n', {'selector': '\u00b2'},
                   url='https://m.test/x.csv')[0] == ['192.0.2.0/24']
    with pytest.raises(FetchError, match="selector 'data.nope': no key 'nope'"):
        records('custom', doc, {'selector': 'data.nope'}, url='https://m.test/x.json')
    with pytest.raises(FetchError, match='returned an HTML page'):
        records('custom', '<html><body>login</body></html>', url='https://m.test/ips.txt')
    with pytest.raises(EgressError, match='needs the url option'):
        get_source('custom').requests({}, None)
