# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWS ip-ranges.json parser, its filters and metadata."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import FetchError
from tests.support.sources import records


AWS = {
    'syncToken': '1700000000', 'createDate': '2026-11-20-10-00-00',
    'prefixes': [
        {'ip_prefix': '192.0.2.0/24', 'region': 'us-east-1', 'service': 'AMAZON', 'network_border_group': 'us-east-1'},
        {'ip_prefix': '192.0.2.0/24', 'region': 'us-east-1', 'service': 'EC2', 'network_border_group': 'us-east-1'},
        {'ip_prefix': '198.51.100.0/24', 'region': 'eu-west-1', 'service': 'S3', 'network_border_group': 'eu-west-1'},
    ],
    'ipv6_prefixes': [
        {'ipv6_prefix': '2001:db8::/32', 'region': 'us-east-1', 'service': 'S3', 'network_border_group': 'us-east-1'},
    ],
}


def test_aws_filters_and_metadata():
    body = json.dumps(AWS)
    entries, source, parsed = records('aws', body, {'region': ['us-east-1']})
    assert entries == ['192.0.2.0/24', '192.0.2.0/24', '2001:db8::/32']
    assert records('aws', body, {'service': ['S3']})[0] == ['198.51.100.0/24', '2001:db8::/32']
    assert records('aws', body, {'network_border_group': ['eu-west-1']})[0] == ['198.51.100.0/24']
    assert source.metadata(parsed) == {'sync_token': '1700000000', 'create_date': '2026-11-20-10-00-00'}
    with pytest.raises(FetchError, match='region=mars-1'):
        records('aws', body, {'region': ['mars-1']})
    with pytest.raises(FetchError, match='needs a ip_prefix string'):
        records('aws', '{"prefixes": [{"region": "x"}]}')
