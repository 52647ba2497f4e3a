# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The egress_ranges engine, against a real local HTTPS server standing in for the publishers."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._egress_ranges import get_egress_ranges
from ansible_collections.allowlist.egress.plugins.module_utils._errors import AddressError, EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils._http import FetchOptions


def run(terms, params=None, tmp_path=None, ca_file=None, warnings=None, **kwargs):
    options = FetchOptions(cache_dir=str(tmp_path / 'cache'), ca_path=ca_file,
                           **dict((k, kwargs.pop(k)) for k in list(kwargs) if k in ('offline', 'cache_ttl', 'retries')))
    return get_egress_ranges(terms, params or {}, fetch_options=options,
                             warn=(warnings.append if warnings is not None else None), **kwargs)


def test_cloudgov_is_bundled_and_needs_no_network(tmp_path):
    result = run(['cloudgov'], tmp_path=tmp_path, offline=True)
    assert result['addresses'] == ['52.222.122.97/32', '52.222.123.172/32']
    prov = result['provenance'][0]
    assert prov['origin'] == 'snapshot' and prov['url'] == 'https://cloud.gov/docs/management/static-egress/'
    assert prov['recorded'] and prov['count'] == 2


def test_cloudgov_verify_warns_when_the_page_differs(https_server, ca_file, tmp_path):
    https_server.serve('/egress/', '<html><li>52.222.122.97/32</li><li>198.51.100.9/32</li></html>', content_type='text/html')
    warnings = []
    result = run(['cloudgov'], {'verify': True}, tmp_path, ca_file, warnings, url=https_server.url('/egress/'))
    assert result['addresses'] == ['52.222.122.97/32', '52.222.123.172/32']
    assert len(warnings) == 1 and '198.51.100.9/32' in warnings[0] and '52.222.123.172/32' in warnings[0]
    https_server.serve('/same/', '<li>52.222.122.97/32</li><li>52.222.123.172/32</li>', content_type='text/html')
    warnings = []
    run(['cloudgov'], {'verify': True}, tmp_path, ca_file, warnings, url=https_server.url('/same/'))
    assert warnings == []


def test_atlas_from_mirror_with_provenance_and_etag(https_server, ca_file, tmp_path):
    https_server.serve('/AtlasAppServicesPublicIPsAWS.json', json.dumps(['198.51.100.2', '192.0.2.1', '198.51.100.2']))
    result = run(['atlas'], {'provider': ['aws']}, tmp_path, ca_file, url=https_server.url('/AtlasAppServicesPublicIPsAWS.json'))
    assert result['addresses'] == ['192.0.2.1/32', '198.51.100.2/32']
    prov = result['provenance'][0]
    assert prov['origin'] == 'network' and prov['etag'] and prov['count'] == 3 and prov['source'] == 'atlas'


def test_union_of_sources_sorted_and_details(https_server, ca_file, tmp_path):
    https_server.serve('/ips.txt', '192.0.2.0/25\n192.0.2.128/25\n2001:db8::1\n52.222.122.97\n', content_type='text/plain')
    result = run(['custom'], tmp_path=tmp_path, ca_file=ca_file, url=https_server.url('/ips.txt'), aggregate=True)
    assert result['addresses'] == ['52.222.122.97/32', '192.0.2.0/24', '2001:db8::1/128']
    detailed = run(['custom'], tmp_path=tmp_path, ca_file=ca_file, url=https_server.url('/ips.txt'), details=True)
    first = detailed['details'][0]
    assert first['address'] == '52.222.122.97/32' and first['sources'] == ['custom']
    assert first['provenance'][0]['url'] == https_server.url('/ips.txt')


def test_aws_filters_with_metadata(https_server, ca_file, tmp_path):
    doc = {'syncToken': '1763700000', 'createDate': '2026-11-21-03-00-00',
           'prefixes': [{'ip_prefix': '192.0.2.0/24', 'region': 'us-east-1', 'service': 'S3', 'network_border_group': 'us-east-1'},
                        {'ip_prefix': '198.51.100.0/24', 'region': 'eu-west-1', 'service': 'S3', 'network_border_group': 'eu-west-1'}],
           'ipv6_prefixes': [{'ipv6_prefix': '2001:db8::/32', 'region': 'us-east-1', 'service': 'S3',
                              'network_border_group': 'us-east-1'}]}
    https_server.serve('/ip-ranges.json', json.dumps(doc))
    result = run(['aws'], {'region': ['us-east-1']}, tmp_path, ca_file, url=https_server.url('/ip-ranges.json'),
                 ip_version='4', details=True)
    assert result['addresses'] == ['192.0.2.0/24']
    assert result['details'][0]['attributes'] == {'network_border_group': ['us-east-1'], 'region': ['us-east-1'], 'service': ['S3']}
    assert result['provenance'][0]['sync_token'] == '1763700000' and result['provenance'][0]['create_date'] == '2026-11-21-03-00-00'


def test_memoised_result_is_reused_and_keyed_by_options(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', json.dumps(['192.0.2.1', '192.0.2.0']))
    url = https_server.url('/ips.json')
    first = run(['custom'], tmp_path=tmp_path, ca_file=ca_file, url=url)
    second = run(['custom'], tmp_path=tmp_path, ca_file=ca_file, url=url)
    assert first['addresses'] == second['addresses'] == ['192.0.2.0/32', '192.0.2.1/32']
    assert second['provenance'][0]['origin'] == 'cache'
    assert len(https_server.requests_for('/ips.json')) == 1
    assert run(['custom'], tmp_path=tmp_path, ca_file=ca_file, url=url, aggregate=True)['addresses'] == ['192.0.2.0/31']


def test_a_memoised_result_is_not_served_after_the_entry_policy_tightened(https_server, ca_file, tmp_path, monkeypatch):
    # The memo skips the entry policy, so its key must change with the policy's tables: a collection upgrade that
    # refuses a new range (as the NAT64 prefixes once were) must not keep serving a list memoised before it.
    from ansible_collections.allowlist.egress.plugins.module_utils import _entry_policy
    https_server.serve('/ips.json', json.dumps(['192.0.2.1']))
    url = https_server.url('/ips.json')
    assert run(['custom'], tmp_path=tmp_path, ca_file=ca_file, url=url)['addresses'] == ['192.0.2.1/32']
    monkeypatch.setattr(_entry_policy, 'REFUSED', sorted(_entry_policy.REFUSED + _entry_policy._ranges(
        [('192.0.2.0/24', 'a range refused since')])))
    with pytest.raises(EgressError, match=r'Refusing 192.0.2.1 from source custom .*a range refused since'):
        run(['custom'], tmp_path=tmp_path, ca_file=ca_file, url=url)


def test_an_entry_that_is_not_an_address_names_it_and_the_url(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', json.dumps(['192.0.2.1', 'not-an-ip']))
    with pytest.raises(AddressError) as error:
        run(['atlas'], tmp_path=tmp_path, ca_file=ca_file, url=https_server.url('/ips.json'))
    assert "'not-an-ip'" in str(error.value) and https_server.url('/ips.json') in str(error.value)


def test_ip_version_that_leaves_nothing_is_an_error(tmp_path):
    with pytest.raises(EgressError, match='No IPv6 addresses from cloudgov'):
        run(['cloudgov'], tmp_path=tmp_path, ip_version='6')


@pytest.mark.parametrize('terms, params, kwargs, message', [
    (['nope'], {}, {}, "Unknown source 'nope': valid sources are atlas, atlas_control_plane, atlassian, aws"),
    ([], {}, {}, 'No source given'),
    ([''], {}, {}, "Invalid source ''"),
    (['cloudgov'], {'provider': ['aws']}, {}, 'Option provider is not valid for source cloudgov (source-specific options: cloudgov: verify)'),
    (['cloudgov', 'atlas'], {}, {'url': 'https://m.test/x'}, 'cannot be used with several sources'),
    (['cloudgov'], {}, {'details': True, 'aggregate': True}, 'details and aggregate cannot be combined'),
    (['cloudgov'], {}, {'ip_version': '5'}, "Invalid ip_version '5'"),
])
def test_bad_requests_fail_clearly(tmp_path, terms, params, kwargs, message):
    with pytest.raises(EgressError) as error:
        run(terms, params, tmp_path, **kwargs)
    assert message in str(error.value)


def test_offline_without_cache_or_snapshot_fails(tmp_path):
    with pytest.raises(FetchError, match='Offline and no cached copy of https://cloud.mongodb.com/'):
        run(['atlas_control_plane'], tmp_path=tmp_path, offline=True)


ATLAS_PAGE = 'https://www.mongodb.com/docs/atlas/app-services/security/network/'


@pytest.mark.parametrize('provider, count, sample', [
    ('aws', 83, '13.236.189.10/32'),  # counted on the Configure Network Security page
    ('azure', 8, '20.105.25.17/32'),
    ('gcp', 5, '34.150.239.218/32'),
    ('all', 96, '52.149.111.83/32'),
])
def test_atlas_offline_uses_the_bundled_snapshot_of_the_page(tmp_path, provider, count, sample):
    warnings = []
    result = run(['atlas'], {'provider': [provider]}, tmp_path, warnings=warnings, offline=True)
    assert len(result['addresses']) == count and sample in result['addresses']
    prov = result['provenance'][0]
    assert prov['origin'] == 'snapshot' and prov['url'] == ATLAS_PAGE and prov['recorded'] == '2026-11-21'
    assert prov['count'] == count and ATLAS_PAGE in prov['note']
    assert 'using the bundled snapshot recorded 2026-11-21' in warnings[0]


def test_atlas_bundled_all_is_the_union_of_the_providers(tmp_path):
    union = set()
    for provider in ('aws', 'azure', 'gcp'):
        union.update(run(['atlas'], {'provider': [provider]}, tmp_path, offline=True)['addresses'])
    assert set(run(['atlas'], {'provider': ['all']}, tmp_path, offline=True)['addresses']) == union


BOM = b'\xef\xbb\xbf'


@pytest.mark.parametrize('path, body, params', [
    ('/ips.txt', BOM + b'192.0.2.1\n198.51.100.0/24\n', {}),
    ('/ips.csv', BOM + b'cidr,label\n192.0.2.1,a\n198.51.100.0/24,b\n', {'selector': 'cidr'}),  # header name after the BOM
    ('/ips.csv', BOM + b'192.0.2.1\n198.51.100.0/24\n', {}),
])
def test_a_byte_order_mark_is_accepted_in_text_and_csv(https_server, ca_file, tmp_path, path, body, params):
    https_server.serve(path, body, content_type='text/csv')
    result = run(['custom'], params, tmp_path, ca_file, url=https_server.url(path))
    assert result['addresses'] == ['192.0.2.1/32', '198.51.100.0/24']


def test_atlas_csv_with_a_byte_order_mark(https_server, ca_file, tmp_path):
    https_server.serve('/AtlasAppServicesPublicIPsGCP.csv', BOM + b'203.0.113.1\r\n203.0.113.2\r\n', content_type='text/csv')
    result = run(['atlas'], {'provider': ['gcp']}, tmp_path, ca_file, url=https_server.url('/AtlasAppServicesPublicIPsGCP.csv'))
    assert result['addresses'] == ['203.0.113.1/32', '203.0.113.2/32']


@pytest.mark.parametrize('body', [BOM, BOM + b'\n# nothing yet\n', BOM + b'   \r\n'])
def test_a_list_with_a_byte_order_mark_and_no_address_is_still_an_error(https_server, ca_file, tmp_path, body):
    https_server.serve('/AtlasAppServicesPublicIPs.csv', body, content_type='text/csv')
    with pytest.raises(FetchError, match='holds no addresses; refusing to return an empty allowlist'):
        run(['atlas'], {}, tmp_path, ca_file, url=https_server.url('/AtlasAppServicesPublicIPs.csv'))
