# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Atlas App Services list and the Atlas control-plane addresses, in the formats MongoDB publishes."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import get_source
from tests.support.sources import URL, records


def test_atlas_json_and_csv():
    assert records('atlas', '["192.0.2.1", "192.0.2.2"]', url='https://m.test/AtlasAppServicesPublicIPs.json')[0] == [
        '192.0.2.1', '192.0.2.2']
    assert records('atlas', '192.0.2.1\n192.0.2.2\n\n', url='https://m.test/AtlasAppServicesPublicIPsAWS.csv')[0] == [
        '192.0.2.1', '192.0.2.2']


def test_atlas_default_urls_per_provider():
    source = get_source('atlas')
    urls = [r.url for r in source.requests({'provider': ['aws', 'gcp']}, None)]
    assert urls == ['https://www.mongodb.com/docs/realm-sdks/mongodb/AtlasAppServicesPublicIPsAWS.json',
                    'https://www.mongodb.com/docs/realm-sdks/mongodb/AtlasAppServicesPublicIPsGCP.json']
    assert [r.url for r in source.requests({}, None)] == [
        'https://www.mongodb.com/docs/realm-sdks/mongodb/AtlasAppServicesPublicIPs.json']
    with pytest.raises(EgressError, match="Invalid provider 'oracle' for source atlas: valid values are all, aws, azure, gcp"):
        source.requests({'provider': ['oracle']}, None)


@pytest.mark.parametrize('body, message', [
    ('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', 'an HTML page'),
    ('["192.0.2.1", "192.0.2.2"', 'did not return valid JSON'),
    ('[]', 'holds no addresses'),
    ('{"addresses": []}', 'the document should be a list'),
    ('[1, 2]', 'should hold strings'),
])
def test_atlas_rejects_what_atlas_does_not_publish(body, message):
    with pytest.raises(FetchError) as error:
        records('atlas', body)
    assert message in str(error.value)
    assert URL in str(error.value)


CONTROL_PLANE = {
    'controlPlane': {
        'inbound': {'aws': {'us-east-1': ['192.0.2.10/32'], 'eu-west-1': ['192.0.2.11/32']}},
        'outbound': {'aws': {'us-east-1': ['198.51.100.10/32']}, 'gcp': {'europe-west1': ['198.51.100.20/32']}},
    },
    'data_federation': {'inbound': {}, 'outbound': {'aws': {'us-east-1': ['203.0.113.5/32']}}},
    'app_services': {'inbound': {}, 'outbound': {}},
}


def test_atlas_control_plane_filters_and_accept_header():
    source = get_source('atlas_control_plane')
    request = source.requests({}, None)[0]
    assert request.headers['Accept'] == 'application/vnd.atlas.2023-11-15+json'
    body = json.dumps(CONTROL_PLANE)
    assert sorted(records('atlas_control_plane', body)[0]) == ['198.51.100.10/32', '198.51.100.20/32', '203.0.113.5/32']
    assert records('atlas_control_plane', body, {'service': ['controlPlane'], 'direction': ['inbound'],
                                                 'region': ['eu-west-1']})[0] == ['192.0.2.11/32']
    assert records('atlas_control_plane', body, {'service': ['controlPlane'], 'provider': ['gcp']})[0] == ['198.51.100.20/32']
    with pytest.raises(FetchError, match='holds no addresses for service=controlPlane direction=outbound provider=azure'):
        records('atlas_control_plane', body, {'service': ['controlPlane'], 'provider': ['azure']})
    with pytest.raises(EgressError, match="Invalid service 'control'"):
        records('atlas_control_plane', body, {'service': ['control']})
    with pytest.raises(FetchError, match='none of the keys'):
        records('atlas_control_plane', '{"detail": "Not Acceptable", "error": 406}')
