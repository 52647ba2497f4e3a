# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Datadog's ip-ranges: one object per key with prefixes_ipv4 / prefixes_ipv6, version and modified in provenance."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import get_source
from tests.support import feeds
from tests.support.sources import URL, engine, records

BODY = feeds.body(feeds.DATADOG)


def test_keys_both_families_and_metadata():
    entries, source, parsed = records('datadog', BODY, {'key': ['webhooks']})
    assert entries == ['203.0.113.32/28', '203.0.113.48/29']
    # synthetics: the flat lists, which hold every location (the *_by_location objects repeat them)
    assert records('datadog', BODY, {'key': ['synthetics']})[0] == ['198.51.100.10/32', '198.51.100.11/32', '2001:db8:5::/64']
    assert records('datadog', BODY, {'key': ['synthetics-private-locations', 'api']})[0] == [
        '192.0.2.48/28', '192.0.2.16/28', '2001:db8:2::/64']
    assert source.metadata(parsed) == {'version': 64, 'modified': '2026-11-18-12-00-00'}


def test_key_is_required_and_must_be_published():
    with pytest.raises(EgressError, match='Source datadog needs the key option'):
        get_source('datadog').requests({'key': None}, None)
    assert get_source('datadog').requests({'key': ['webhooks']}, None)[0].url == 'https://ip-ranges.datadoghq.com/'
    with pytest.raises(EgressError) as error:
        records('datadog', BODY, {'key': ['webhook']})
    assert str(error.value) == ("Invalid key 'webhook' for source datadog: %s has no such key (it lists agents, api, "
                                "remote-configuration, synthetics, synthetics-private-locations, webhooks)" % URL)
    # version and modified are not keys
    with pytest.raises(EgressError, match="Invalid key 'version'"):
        records('datadog', BODY, {'key': ['version']})


def section(key, value):
    document = copy.deepcopy(feeds.DATADOG)
    document[key] = value
    return json.dumps(document)


@pytest.mark.parametrize('body, message', [
    (feeds.body(feeds.DATADOG, version=None), 'version should be a number, got None'),
    (feeds.body(feeds.DATADOG, version='64'), "version should be a number, got '64'"),
    (feeds.body(feeds.DATADOG, modified=None), 'modified should be a string, got None'),
    (json.dumps({'version': 1, 'modified': '2026-11-18-12-00-00'}), 'no key holds prefixes_ipv4 or prefixes_ipv6'),
    (section('webhooks', {'prefixes_ipv4': '203.0.113.32/28'}), 'webhooks.prefixes_ipv4 should be a list, got str'),
    (section('webhooks', {'prefixes_ipv4': [], 'prefixes_ipv6': [None]}), 'webhooks.prefixes_ipv6 should hold strings, got None'),
    ('["203.0.113.32/28"]', 'expected an object with version, modified'),
    ('{"errors": ["Bad Request"]}', 'version should be a number'),
])
def test_documents_that_are_not_datadogs_are_refused(body, message):
    with pytest.raises(FetchError) as error:
        records('datadog', body, {'key': ['webhooks']})
    assert message in str(error.value) and URL in str(error.value)


def test_an_empty_key_is_an_error_not_an_empty_list():
    with pytest.raises(FetchError, match='holds no prefixes for key=webhooks'):
        records('datadog', section('webhooks', {'prefixes_ipv4': [], 'prefixes_ipv6': []}), {'key': ['webhooks']})


def test_through_the_engine(https_server, ca_file, tmp_path):
    result = engine('datadog', https_server, ca_file, tmp_path, BODY, {'key': ['webhooks']}, path='/', details=True)
    assert [d['address'] for d in result['details']] == ['203.0.113.32/28', '203.0.113.48/29']
    assert result['details'][0]['attributes'] == {'key': ['webhooks']}
    prov = result['provenance'][0]
    assert prov['version'] == 64 and prov['modified'] == '2026-11-18-12-00-00' and prov['count'] == 2
    with pytest.raises(EgressError, match=r'Refusing 0\.0\.0\.0/0 from source datadog'):
        engine('datadog', https_server, ca_file, tmp_path, section('webhooks', {'prefixes_ipv4': ['0.0.0.0/0']}),
               {'key': ['webhooks']}, path='/anywhere')
