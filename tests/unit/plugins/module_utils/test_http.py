# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fetcher against a real local HTTPS server (trustme certificates)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import FetchError
from ansible_collections.allowlist.egress.plugins.module_utils._http import Fetcher, FetchOptions, parse_retry_after
from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import load_json, nonempty, string_list

GOOD = json.dumps(['192.0.2.1', '192.0.2.2'])


def parse_list(body, url):
    return nonempty(string_list(load_json(body, url), url, 'the document'), url)


class Clock(object):
    """Controls time for cache ages and records sleeps, so no test waits for real."""

    def __init__(self):
        self.now = 1_800_000_000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def make(tmp_path, ca_file, clock=None, **kwargs):
    clock = clock or Clock()
    warnings = []
    options = FetchOptions(cache_dir=str(tmp_path / 'cache'), ca_path=ca_file, **kwargs)
    return Fetcher(options, warn=warnings.append, sleep=clock.sleep, clock=clock), clock, warnings


def test_fetch_then_fresh_cache_makes_no_request(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    fetcher, clock, _w = make(tmp_path, ca_file, cache_ttl=600)
    doc = fetcher.fetch(https_server.url('/ips.json'), parse_list)
    assert doc.origin == 'network' and doc.parsed == ['192.0.2.1', '192.0.2.2'] and doc.etag
    clock.now += 599
    again = fetcher.fetch(https_server.url('/ips.json'), parse_list)
    assert again.origin == 'cache' and again.revalidated is False and json.loads(again.body) == ['192.0.2.1', '192.0.2.2']
    assert len(https_server.requests_for('/ips.json')) == 1


def test_conditional_get_304_uses_the_cache(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    fetcher, clock, _w = make(tmp_path, ca_file, cache_ttl=0)
    first = fetcher.fetch(https_server.url('/ips.json'), parse_list)
    second = fetcher.fetch(https_server.url('/ips.json'), parse_list)
    sent = https_server.requests_for('/ips.json')
    assert len(sent) == 2
    assert sent[1]['headers']['If-None-Match'] == first.etag
    assert 'If-Modified-Since' in sent[1]['headers']
    assert second.origin == 'cache' and second.revalidated is True and second.digest == first.digest


def test_429_retry_after_is_honoured_then_200(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    https_server.script('/ips.json', (429, {'Retry-After': '7'}, 'slow down'))
    fetcher, clock, _w = make(tmp_path, ca_file)
    doc = fetcher.fetch(https_server.url('/ips.json'), parse_list)
    assert doc.origin == 'network'
    assert clock.sleeps == [7.0]
    assert len(https_server.requests_for('/ips.json')) == 2


def test_retry_after_beyond_budget_fails_at_once(https_server, ca_file, tmp_path):
    https_server.script('/ips.json', (503, {'Retry-After': '3600'}, 'maintenance'))
    fetcher, clock, _w = make(tmp_path, ca_file, max_retry_wait=60)
    with pytest.raises(FetchError, match='retry after 3600s, beyond the max_retry_wait budget'):
        fetcher.fetch(https_server.url('/ips.json'), parse_list)
    assert clock.sleeps == []


def test_5xx_retried_with_backoff_then_error_names_url(https_server, ca_file, tmp_path):
    https_server.script('/ips.json', *[(500, {}, 'oops')] * 4)
    fetcher, clock, _w = make(tmp_path, ca_file, retries=3, backoff=1)
    with pytest.raises(FetchError) as error:
        fetcher.fetch(https_server.url('/ips.json'), parse_list)
    assert 'after 4 attempts: HTTP 500' in str(error.value) and https_server.url('/ips.json') in str(error.value)
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_404_is_not_retried(https_server, ca_file, tmp_path):
    fetcher, clock, _w = make(tmp_path, ca_file)
    with pytest.raises(FetchError, match='HTTP 404'):
        fetcher.fetch(https_server.url('/missing.json'), parse_list)
    assert len(https_server.requests_for('/missing.json')) == 1


def test_500s_then_stale_cache_with_warning_saying_its_age(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    fetcher, clock, warnings = make(tmp_path, ca_file, cache_ttl=60, max_stale=86400, retries=1)
    fetcher.fetch(https_server.url('/ips.json'), parse_list)
    clock.now += 7200
    https_server.script('/ips.json', (500, {}, 'down'), (500, {}, 'down'))
    doc = fetcher.fetch(https_server.url('/ips.json'), parse_list)
    assert doc.origin == 'cache' and json.loads(doc.body) == ['192.0.2.1', '192.0.2.2']
    assert len(warnings) == 1 and 'fetched 2h 0m ago' in warnings[0] and 'HTTP 500' in warnings[0]


def test_stale_cache_older_than_max_stale_is_refused(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    fetcher, clock, warnings = make(tmp_path, ca_file, cache_ttl=60, max_stale=3600, retries=0)
    fetcher.fetch(https_server.url('/ips.json'), parse_list)
    clock.now += 7200
    https_server.script('/ips.json', (500, {}, 'down'))
    with pytest.raises(FetchError, match='more than max_stale 3600s'):
        fetcher.fetch(https_server.url('/ips.json'), parse_list)


@pytest.mark.parametrize('body, message', [
    ('<html><body>Error</body></html>', 'an HTML page'),
    ('["192.0.2.1", ', 'did not return valid JSON'),
    ('[]', 'holds no addresses'),
])
def test_bad_body_is_an_error_and_never_replaces_the_cache(https_server, ca_file, tmp_path, body, message):
    https_server.serve('/ips.json', GOOD)
    fetcher, clock, _w = make(tmp_path, ca_file, cache_ttl=0)
    good = fetcher.fetch(https_server.url('/ips.json'), parse_list)
    https_server.serve('/ips.json', body)
    with pytest.raises(FetchError, match=message):
        fetcher.fetch(https_server.url('/ips.json'), parse_list)
    https_server.serve('/ips.json', GOOD)
    https_server.routes['/ips.json'].etag = None  # force a full download, compare the cached copy
    cached = fetcher.cache.load(https_server.url('/ips.json'), None)
    assert cached['digest'] == good.digest


def test_size_cap(https_server, ca_file, tmp_path):
    https_server.serve('/big.json', json.dumps(['192.0.2.1'] * 1000))
    fetcher, _c, _w = make(tmp_path, ca_file, max_size=1000)
    with pytest.raises(FetchError, match='more than max_size 1000'):
        fetcher.fetch(https_server.url('/big.json'), parse_list)


def test_tls_is_verified_unless_told_otherwise(https_server, tmp_path):
    https_server.serve('/ips.json', GOOD)
    fetcher = Fetcher(FetchOptions(cache_dir=str(tmp_path / 'c1'), retries=0))
    with pytest.raises(FetchError, match='TLS error .*set ca_path'):
        fetcher.fetch(https_server.url('/ips.json'), parse_list)
    insecure = Fetcher(FetchOptions(cache_dir=str(tmp_path / 'c2'), validate_certs=False))
    assert insecure.fetch(https_server.url('/ips.json'), parse_list).origin == 'network'


def test_offline_uses_cache_of_any_age_or_fails(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    fetcher, clock, _w = make(tmp_path, ca_file)
    fetcher.fetch(https_server.url('/ips.json'), parse_list)
    clock.now += 10 * 86400
    offline, _c, warnings = make(tmp_path, ca_file, clock=clock, offline=True)
    assert offline.fetch(https_server.url('/ips.json'), parse_list).origin == 'cache'
    assert 'Offline: using a cached copy' in warnings[0] and '10d 0h' in warnings[0]
    with pytest.raises(FetchError, match='Offline and no cached copy of'):
        offline.fetch(https_server.url('/other.json'), parse_list)
    assert len(https_server.requests) == 1


def test_connection_refused_is_retried_then_reported(tmp_path):
    fetcher = Fetcher(FetchOptions(cache_dir=str(tmp_path), retries=2, backoff=0.01, timeout=2))
    with pytest.raises(FetchError, match='after 3 attempts: connection failed'):
        fetcher.fetch('https://127.0.0.1:9/ips.json', parse_list)


def test_parse_retry_after_forms():
    assert parse_retry_after('120', 0) == 120.0
    assert parse_retry_after('Wed, 21 Oct 2015 07:28:00 GMT', 1445412470.0) == 10.0
    assert parse_retry_after('soon', 0) is None
    assert parse_retry_after(None, 0) is None
