# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Okta's ip_ranges.json: an object of cells, each with ip_ranges."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from tests.support import feeds
from tests.support.sources import URL, engine, records

BODY = feeds.body(feeds.OKTA)


def test_cells():
    assert records('okta', BODY, {'cell': ['us_cell_1']})[0] == ['192.0.2.43/32', '198.51.100.0/28']
    assert records('okta', BODY, {'cell': ['emea_cell_2', 'us_cell_14']})[0] == [
        '203.0.113.0/28', '203.0.113.16/32', '198.51.100.64/28']
    # no cell: every cell (Okta's own advice when the cell is not known)
    assert len(records('okta', BODY)[0]) == 5


def test_an_unknown_cell_names_the_published_ones():
    with pytest.raises(EgressError) as error:
        records('okta', BODY, {'cell': ['OK1']})
    assert str(error.value) == ("Invalid cell 'OK1' for source okta: %s has no such cell "
                                "(it lists emea_cell_2, preview_cell_1, us_cell_1, us_cell_14)" % URL)


def test_a_cell_with_no_ranges_is_an_error_not_an_empty_list():
    with pytest.raises(FetchError, match='holds no ip_ranges for cell=preview_cell_1'):
        records('okta', BODY, {'cell': ['preview_cell_1']})


def cell(value):
    document = copy.deepcopy(feeds.OKTA)
    document['us_cell_14'] = value
    return json.dumps(document)


@pytest.mark.parametrize('body, message', [
    ('{}', 'expected an object of cells'),
    ('[]', 'expected an object of cells'),
    (cell(['198.51.100.64/28']), "us_cell_14 should be an object with ip_ranges, got ['198.51.100.64/28']"),
    (cell({'ranges': []}), 'us_cell_14 should be an object with ip_ranges'),
    (cell({'ip_ranges': None}), 'us_cell_14.ip_ranges should be a list, got NoneType'),
    (cell({'ip_ranges': ['198.51.100.64/28', 42]}), 'us_cell_14.ip_ranges should hold strings, got 42'),
    ('<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', 'did not return valid JSON'),
])
def test_documents_that_are_not_oktas_are_refused(body, message):
    with pytest.raises(FetchError) as error:
        records('okta', body, {'cell': ['us_cell_1']})
    assert message in str(error.value) and URL in str(error.value)


def test_through_the_engine(https_server, ca_file, tmp_path):
    result = engine('okta', https_server, ca_file, tmp_path, BODY, {'cell': ['us_cell_1']}, path='/ip_ranges.json')
    assert result['addresses'] == ['192.0.2.43/32', '198.51.100.0/28']
    prov = result['provenance'][0]
    # the file has no version field: Okta points at its Last-Modified header, which provenance keeps
    assert prov['source'] == 'okta' and prov['last_modified'] and prov['count'] == 2
    with pytest.raises(EgressError, match=r'Refusing 192\.168\.0\.0/16 from source okta .*private range'):
        engine('okta', https_server, ca_file, tmp_path, cell({'ip_ranges': ['192.168.0.0/16']}), {'cell': ['us_cell_14']},
               path='/private.json')
