# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Azure Service Tags: the weekly file's shape, the name/service/region filters, changeNumber in provenance."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import get_source
from tests.support import feeds
from tests.support.sources import URL, engine

BODY = feeds.body(feeds.AZURE)


def azure(params, body=BODY):
    source = get_source('azure')
    source.requests(params, URL)
    parsed = source.parse(body.encode(), URL)
    return source.records(parsed, params, URL), source, parsed


def test_name_service_and_region_filters():
    recs, source, parsed = azure({'name': ['ActionGroup']})
    assert [e for e, _a in recs] == ['192.0.2.16/28', '198.51.100.64/27', '2001:db8:a::/126']
    assert recs[0][1] == {'name': 'ActionGroup', 'service': 'ActionGroup', 'region': None}
    # service matches the global tag and its regional ones; region narrows to the regional tags
    assert sorted(set(e for e, _a in azure({'service': ['AzureDevOps']})[0])) == ['198.51.100.128/26', '203.0.113.128/26']
    assert [e for e, _a in azure({'service': ['AzureDevOps'], 'region': ['westeurope']})[0]] == ['198.51.100.128/26']
    assert [e for e, _a in azure({'name': ['AzureDevOps.westeurope']})[0]] == ['198.51.100.128/26']
    # region alone: every tag of that region, AzureCloud.westeurope included (its systemService is empty)
    assert [e for e, _a in azure({'region': ['westeurope']})[0]] == ['203.0.113.0/24', '2001:db8:e::/48', '198.51.100.128/26']
    assert source.metadata(parsed) == {'change_number': 351, 'cloud': 'Public'}


def test_url_and_a_filter_are_required():
    source = get_source('azure')
    with pytest.raises(EgressError, match=r'needs the url option.*details.aspx\?id=56519'):
        source.requests({'name': ['ActionGroup']}, None)
    with pytest.raises(EgressError, match='needs name, service or region .*the whole file is every Azure address'):
        source.requests({'name': [], 'service': None}, URL)


@pytest.mark.parametrize('params, message', [
    ({'name': ['actiongroup']}, "Invalid name 'actiongroup' for source azure: %s has no such name (it lists ActionGroup, "
                                "AzureCloud.westeurope, AzureDevOps" % URL),
    ({'service': ['AzureCloud']}, "Invalid service 'AzureCloud' for source azure: %s has no such service (it lists "
                                  "ActionGroup, AzureDevOps, AzureMonitor)" % URL),
    ({'region': ['West Europe']}, "Invalid region 'West Europe' for source azure: %s has no such region (it lists eastus, westeurope)" % URL),
])
def test_an_unknown_filter_value_names_the_published_ones(params, message):
    with pytest.raises(EgressError) as error:
        azure(params)
    assert message in str(error.value)


def test_a_typo_among_thousands_of_tags_names_the_closest():
    document = copy.deepcopy(feeds.AZURE)
    for i in range(60):
        document['values'].append(feeds._tag('Tag%02d' % i, 1, '', 0, 'Tag%02d' % i, ['192.0.2.%d/32' % i]))
    with pytest.raises(EgressError) as error:
        azure({'name': ['ActionGroups']}, json.dumps(document))
    assert 'it lists 66 values; the closest are ActionGroup' in str(error.value)


def test_filters_that_match_only_empty_tags_or_nothing_fail():
    with pytest.raises(FetchError, match='holds no prefixes for name=AzureMonitor.eastus service=any region=any'):
        azure({'name': ['AzureMonitor.eastus']})
    with pytest.raises(FetchError, match='holds no prefixes for name=AzureDevOps service=any region=westeurope'):
        azure({'name': ['AzureDevOps'], 'region': ['westeurope']})


def tag_with(**props):
    document = copy.deepcopy(feeds.AZURE)
    document['values'][0]['properties'].update(props)
    return json.dumps(document)


@pytest.mark.parametrize('body, message', [
    (feeds.body(feeds.AZURE, values=None), 'the values list is missing'),
    (feeds.body(feeds.AZURE, values={'ActionGroup': []}), 'the values list is missing'),
    (feeds.body(feeds.AZURE, values=[]), 'holds no service tags'),
    (feeds.body(feeds.AZURE, changeNumber=None), 'changeNumber should be a number, got None'),
    (feeds.body(feeds.AZURE, changeNumber=True), 'changeNumber should be a number, got True'),
    (feeds.body(feeds.AZURE, cloud=None), 'cloud should be a name'),
    (feeds.body(feeds.AZURE, values=[{'id': 'x', 'properties': {}}]), 'values[0] needs a name string'),
    (feeds.body(feeds.AZURE, values=[{'name': 'x'}]), 'values[0] (x).properties should be an object, got None'),
    (tag_with(addressPrefixes=None), 'values[0] (ActionGroup).properties.addressPrefixes should be a list, got NoneType'),
    (tag_with(addressPrefixes='192.0.2.0/24'), 'addressPrefixes should be a list, got str'),
    (tag_with(addressPrefixes=['192.0.2.0/28', 7]), 'addressPrefixes should hold strings, got 7'),
    (tag_with(region=18), 'values[0] (ActionGroup).properties.region should be a string, got 18'),
    ('[]', 'expected an object with changeNumber, cloud and values'),
    ('<html><body>Microsoft Download Center</body></html>', 'an HTML page'),
])
def test_documents_that_are_not_a_service_tags_file_are_refused(body, message):
    with pytest.raises(FetchError) as error:
        azure({'name': ['ActionGroup']}, body)
    assert message in str(error.value) and URL in str(error.value)


def test_the_rest_api_string_change_number_is_accepted():
    _recs, source, parsed = azure({'name': ['ActionGroup']}, feeds.body(feeds.AZURE, changeNumber='63'))
    assert source.metadata(parsed)['change_number'] == '63'
    with pytest.raises(FetchError, match="changeNumber should be a number, got '63a'"):
        azure({'name': ['ActionGroup']}, feeds.body(feeds.AZURE, changeNumber='63a'))


def test_through_the_engine_provenance_and_entry_policy(https_server, ca_file, tmp_path):
    result = engine('azure', https_server, ca_file, tmp_path, BODY, {'name': ['ActionGroup']}, path='/ServiceTags_Public_20261116.json')
    assert result['addresses'] == ['192.0.2.16/28', '198.51.100.64/27', '2001:db8:a::/126']
    prov = result['provenance'][0]
    assert prov['change_number'] == 351 and prov['cloud'] == 'Public' and prov['count'] == 3 and prov['origin'] == 'network'
    assert prov['url'].endswith('/ServiceTags_Public_20261116.json') and prov['fetched_at']
    # A selected tag that holds a private range: the whole request fails, nothing is returned.
    document = copy.deepcopy(feeds.AZURE)
    document['values'][0]['properties']['addressPrefixes'].append('10.0.0.0/8')
    with pytest.raises(EgressError, match=r'Refusing 10\.0\.0\.0/8 from source azure .*private range'):
        engine('azure', https_server, ca_file, tmp_path, json.dumps(document), {'name': ['ActionGroup']}, path='/private.json')
