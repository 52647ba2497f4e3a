# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare API parser."""

from __future__ import annotations

import json

from tests.support.sources import records


def test_cloudflare_lists_and_etag():
    cf = json.dumps({'result': {'ipv4_cidrs': ['192.0.2.0/24'], 'ipv6_cidrs': ['2001:db8::/32'], 'etag': 'abc'},
                     'success': True, 'errors': []})
    entries, source, parsed = records('cloudflare', cf)
    assert entries == ['192.0.2.0/24', '2001:db8::/32'] and source.metadata(parsed) == {'etag': 'abc'}
