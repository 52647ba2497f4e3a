# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Google Cloud cloud.json parser and its scope filter."""

from __future__ import annotations

import json

from tests.support.sources import records


def test_gcp_scope_filter():
    body = json.dumps({'syncToken': '1', 'creationTime': '2026-11-20T00:00:00',
                       'prefixes': [{'ipv4Prefix': '192.0.2.0/24', 'service': 'Google Cloud', 'scope': 'europe-west1'},
                                    {'ipv6Prefix': '2001:db8::/48', 'service': 'Google Cloud', 'scope': 'us-east1'}]})
    assert records('gcp', body, {'scope': ['us-east1']})[0] == ['2001:db8::/48']
    assert records('gcp', body)[0] == ['192.0.2.0/24', '2001:db8::/48']
