# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every source's parser and filters, on documents in the publishers' formats (documentation addresses)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import SOURCES, get_source

URL = 'https://mirror.test/doc'


def records(name, body, params=None, url=URL):
    source = get_source(name)
    params = params or {}
    source.requests(params, url if name == 'custom' else None)
    parsed = source.parse(body if isinstance(body, bytes) else body.encode(), url)
    return [entry for entry, _attrs in source.records(parsed, params, url)], source, parsed


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


def test_gcp_scope_filter():
    body = json.dumps({'syncToken': '1', 'creationTime': '2026-11-20T00:00:00',
                       'prefixes': [{'ipv4Prefix': '192.0.2.0/24', 'service': 'Google Cloud', 'scope': 'europe-west1'},
                                    {'ipv6Prefix': '2001:db8::/48', 'service': 'Google Cloud', 'scope': 'us-east1'}]})
    assert records('gcp', body, {'scope': ['us-east1']})[0] == ['2001:db8::/48']
    assert records('gcp', body)[0] == ['192.0.2.0/24', '2001:db8::/48']


def test_github_keys():
    body = json.dumps({'verifiable_password_authentication': False, 'hooks': ['192.0.2.0/28', '2001:db8::/64'],
                       'actions': ['198.51.100.0/24'], 'domains': {'website': ['github.com']}})
    assert records('github', body, {'key': ['hooks']})[0] == ['192.0.2.0/28', '2001:db8::/64']
    with pytest.raises(EgressError, match="Invalid key 'hook' for source github: .* lists actions, hooks"):
        records('github', body, {'key': ['hook']})
    with pytest.raises(EgressError, match='needs the key option'):
        get_source('github').requests({}, None)


def test_cloudflare_fastly_atlassian():
    cf = json.dumps({'result': {'ipv4_cidrs': ['192.0.2.0/24'], 'ipv6_cidrs': ['2001:db8::/32'], 'etag': 'abc'},
                     'success': True, 'errors': []})
    entries, source, parsed = records('cloudflare', cf)
    assert entries == ['192.0.2.0/24', '2001:db8::/32'] and source.metadata(parsed) == {'etag': 'abc'}
    assert records('fastly', json.dumps({'addresses': ['192.0.2.0/24'], 'ipv6_addresses': ['2001:db8::/32']}))[0] == [
        '192.0.2.0/24', '2001:db8::/32']
    atl = json.dumps({'creationDate': '2026-11-20', 'syncToken': 7, 'items': [
        {'cidr': '192.0.2.0/24', 'product': ['jira'], 'direction': ['egress'], 'region': ['global']},
        {'cidr': '198.51.100.0/24', 'product': ['confluence'], 'direction': ['ingress'], 'region': ['global']}]})
    assert records('atlassian', atl, {'product': ['jira'], 'direction': ['egress']})[0] == ['192.0.2.0/24']


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
    with pytest.raises(FetchError, match="selector 'data.nope': no key 'nope'"):
        records('custom', doc, {'selector': 'data.nope'}, url='https://m.test/x.json')
    with pytest.raises(FetchError, match='returned an HTML page'):
        records('custom', '<html><body>login</body></html>', url='https://m.test/ips.txt')
    with pytest.raises(EgressError, match='needs the url option'):
        get_source('custom').requests({}, None)


def test_cloudgov_page_parser_finds_the_addresses():
    page = '<html><ul><li>52.222.122.97/32</li><li>52.222.123.172/32</li></ul><p>v1.2.3</p></html>'
    assert records('cloudgov', page)[0] == ['52.222.122.97/32', '52.222.123.172/32']


def test_every_source_has_a_description_and_declares_its_options():
    for name, cls in SOURCES.items():
        assert cls.name == name and cls.description
        for option, spec in cls.options.items():
            assert spec['type'] in ('list', 'bool', 'str'), (name, option)
