# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every source's parser relies on: decoding, format checks, filters and the refusal of empty lists."""

from __future__ import annotations

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils.sources import _base

URL = 'https://mirror.test/doc'


def test_text_lines_drop_comments_blank_lines_and_a_byte_order_mark():
    assert _base.text_lines(b'\xef\xbb\xbf192.0.2.1  # office\n\n# all\n198.51.100.0/24\n', URL) == [
        '192.0.2.1', '198.51.100.0/24']
    assert _base.csv_rows(b'name,cidr\n\na,192.0.2.0/24\n', URL) == [['name', 'cidr'], ['a', '192.0.2.0/24']]
    with pytest.raises(FetchError, match='did not return valid CSV .*field larger than field limit'):
        _base.csv_rows(b'name,cidr\na,"' + b'1' * 200000 + b'"\n', URL)
    with pytest.raises(FetchError, match='did not return UTF-8 text'):
        _base.text_lines(b'\xff\xfe1', URL)
    with pytest.raises(FetchError, match='returned an HTML page'):
        _base.text_lines(b'<!DOCTYPE html><html></html>', URL)


def test_bad_documents_are_described_in_the_error():
    with pytest.raises(FetchError, match=r'did not return valid JSON \(an empty body;'):
        _base.load_json(b' ', URL)
    with pytest.raises(FetchError, match="did not return valid JSON \\(starts with 'nope'"):
        _base.load_json(b'nope', URL)
    with pytest.raises(FetchError, match=r"did not return valid JSON \(starts with '\[\[\[.*nested too deeply"):
        _base.load_json(b'[' * 100000 + b']' * 100000, URL)
    with pytest.raises(FetchError, match='holds no addresses; refusing to return an empty allowlist'):
        _base.nonempty([], URL)
    with pytest.raises(FetchError, match='prefixes should hold strings, got 1'):
        _base.string_list(['192.0.2.1', 1], URL, 'prefixes')


def test_filters_and_option_values():
    assert _base.matches([], 'anything') and _base.matches(['a'], ['b', 'a']) and not _base.matches(['a'], 'b')
    with pytest.raises(EgressError, match="Invalid region 'mars' for source aws: valid values are eu, us"):
        _base.check_values('aws', 'region', ['us', 'mars'], ['us', 'eu'])


def test_check_published_lists_few_choices_and_the_closest_of_many():
    _base.check_published('okta', 'cell', ['us_cell_1'], {'us_cell_1'}, URL)
    _base.check_published('okta', 'cell', [], set(), URL)
    with pytest.raises(EgressError) as error:
        _base.check_published('okta', 'cell', ['us_cell_1', 'eu_cell_1'], {'us_cell_1', 'emea_cell_1'}, URL)
    assert str(error.value) == ("Invalid cell 'eu_cell_1' for source okta: %s has no such cell "
                                "(it lists emea_cell_1, us_cell_1)" % URL)
    many = set('Tag%03d' % i for i in range(_base.MAX_LISTED_CHOICES + 1)) | {'AzureDevOps'}
    with pytest.raises(EgressError) as error:
        _base.check_published('azure', 'name', ['azuredevops'], many, URL)
    assert str(error.value).endswith('(it lists %d values; the closest are AzureDevOps)' % len(many))
    with pytest.raises(EgressError) as error:
        _base.check_published('azure', 'name', ['zzzzzzzz'], many, URL)
    assert str(error.value).endswith('(it lists %d values)' % len(many))
