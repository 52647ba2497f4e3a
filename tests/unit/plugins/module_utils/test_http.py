# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fetcher against a real local HTTPS server (trustme certificates)."""

from __future__ import annotations

import json
import socket
import time

import pytest
import trustme

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils._http import (
    Fetcher, FetchOptions, RetryPolicy, check_redirect, parse_retry_after, redact_url, url_secrets,
)
from ansible_collections.allowlist.egress.plugins.module_utils.sources._base import load_json, nonempty, string_list
from tests.support.https_server import HttpsServer

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
    cached = fetcher.cache.load(https_server.url('/ips.json'), None, fetcher.options.tls_marker())
    assert cached['digest'] == good.digest


def test_size_cap(https_server, ca_file, tmp_path):
    https_server.serve('/big.json', json.dumps(['192.0.2.1'] * 1000))
    fetcher, _c, _w = make(tmp_path, ca_file, max_size=1000)
    with pytest.raises(FetchError, match='more than max_size 1000'):
        fetcher.fetch(https_server.url('/big.json'), parse_list)


@pytest.mark.parametrize('length, fails', [('\u00b2', None), ('9' * 5000, 'larger than max_size')])
def test_a_content_length_int_refuses_is_not_a_traceback(tmp_path, length, fails):
    """A server's Content-Length of a superscript digit (str.isdigit() is true of it) or of 5,000 digits (more than
    int() converts) made int() raise a bare ValueError: the header is ignored, or the size cap names the URL."""
    from http.server import BaseHTTPRequestHandler

    from tests.support.https_server import serve_tls

    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):
            pass

        def do_GET(self):
            self.close_connection = True
            self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: '
                             + length.encode('latin-1') + b'\r\nConnection: close\r\n\r\n' + GOOD.encode())

    ca = trustme.CA()
    server = serve_tls(Handler, ca)
    try:
        ca_file = str(tmp_path / 'ca.pem')
        ca.cert_pem.write_to_path(ca_file)
        fetcher, _c, _w = make(tmp_path, ca_file, retries=0)
        url = 'https://127.0.0.1:%d/ips.json' % server.server_address[1]
        if fails:
            with pytest.raises(FetchError, match='Fetching %s failed: the document is %s' % (url, fails)):
                fetcher.fetch(url, parse_list)
        else:
            assert fetcher.fetch(url, parse_list).parsed == ['192.0.2.1', '192.0.2.2']
    finally:
        server.shutdown()


def test_a_cache_dir_other_users_can_write_to_is_not_used(https_server, ca_file, tmp_path):
    """Another user could plant a copy (or a memoised result, which is not checked again) under a predictable name,
    or a symlink the next write would follow: such a cache_dir is neither read nor written, with a warning."""
    import os
    import shutil
    https_server.serve('/ips.json', GOOD)
    url = https_server.url('/ips.json')
    fetcher, _c, _w = make(tmp_path, ca_file)
    fetcher.fetch(url, parse_list)
    shared = tmp_path / 'shared'
    shutil.copytree(str(tmp_path / 'cache'), str(shared))
    for name in os.listdir(str(shared)):
        if name.endswith('.body'):
            (shared / name).write_text(json.dumps(['203.0.113.66']))  # the planted copy
    shared.chmod(0o1777)
    warnings = []
    fetcher = Fetcher(FetchOptions(cache_dir=str(shared), ca_path=ca_file), warn=warnings.append)
    document = fetcher.fetch(url, parse_list)
    assert parse_list(document.body, url) == ['192.0.2.1', '192.0.2.2'] and document.origin == 'network'
    assert len(https_server.requests_for('/ips.json')) == 2
    assert any('Not using the cache: Refusing the cache_dir %s: it is writable by other users' % shared in w
               for w in warnings), warnings
    assert json.loads([(shared / n).read_text() for n in os.listdir(str(shared)) if n.endswith('.body')][0]) == [
        '203.0.113.66']  # nothing written there either


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
    assert parse_retry_after('\u00b2', 0) is None  # str.isdigit() is true of it; float() refuses it
    assert parse_retry_after(None, 0) is None


# --- Issue 11: a whole-request deadline, redirects checked hop by hop, no secrets in output, TLS in the cache key.

def assert_not_cached(fetcher, url):
    assert fetcher.cache.load(url, {}, fetcher.options.tls_marker()) is None


@pytest.mark.parametrize('drip_headers', [False, True], ids=['body', 'headers'])
def test_a_slow_drip_server_fails_at_the_deadline_and_nothing_is_cached(https_server, ca_file, tmp_path, drip_headers):
    # One byte every 0.5 s never trips a per-read timeout: the old fetcher waited for all of it (20 s here).
    https_server.serve('/slow.json?token=SECRET99', json.dumps(['192.0.2.1'] * 4), drip=0.5, drip_headers=drip_headers)
    fetcher, _c, _w = make(tmp_path, ca_file, timeout=2, retries=0)
    started = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetcher.fetch(https_server.url('/slow.json?token=SECRET99'), parse_list)
    elapsed = time.monotonic() - started
    assert 1.8 < elapsed < 4, elapsed
    assert 'no complete answer within the timeout of 2s' in str(error.value)
    assert https_server.url('/slow.json?token=***') in str(error.value) and 'SECRET99' not in str(error.value)
    assert_not_cached(fetcher, https_server.url('/slow.json?token=SECRET99'))


def test_the_deadline_is_per_attempt_and_a_fast_answer_is_unaffected(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    https_server.script('/ips.json', (500, {}, 'oops'))
    fetcher, clock, _w = make(tmp_path, ca_file, timeout=1, retries=1)
    assert fetcher.fetch(https_server.url('/ips.json'), parse_list).origin == 'network'
    assert clock.sleeps == [1.0]


def test_a_redirect_within_loopback_is_followed_and_recorded(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    https_server.serve('/old.json', '', redirect=https_server.url('/ips.json'), status=301)
    fetcher, _c, _w = make(tmp_path, ca_file)
    doc = fetcher.fetch(https_server.url('/old.json'), parse_list)
    prov = doc.provenance()
    assert prov['url'] == https_server.url('/old.json') and prov['final_url'] == https_server.url('/ips.json')
    cached = fetcher.fetch(https_server.url('/old.json'), parse_list)  # keyed on the URL asked for
    assert cached.origin == 'cache' and cached.provenance()['final_url'] == https_server.url('/ips.json')
    assert len(https_server.requests_for('/old.json')) == 1


def test_a_redirect_from_https_to_http_is_refused(https_server, ca_file, tmp_path):
    plain = HttpsServer(tls=False).start()
    try:
        plain.serve('/ips.json', GOOD)
        https_server.serve('/down.json', '', redirect=plain.url('/ips.json'))
        fetcher, _c, _w = make(tmp_path, ca_file, retries=0)
        with pytest.raises(FetchError, match='redirects to http://127.0.0.1:[0-9]+/ips.json: a redirect from https '
                                             'to plain http is refused'):
            fetcher.fetch(https_server.url('/down.json'), parse_list)
        assert plain.requests == []
        assert_not_cached(fetcher, https_server.url('/down.json'))
    finally:
        plain.stop()


def test_a_plain_http_url_the_user_wrote_works_with_a_warning(tmp_path):
    plain = HttpsServer(tls=False).start()
    try:
        plain.serve('/ips.json', GOOD)
        fetcher, _c, warnings = make(tmp_path, None)
        assert fetcher.fetch(plain.url('/ips.json'), parse_list).parsed == ['192.0.2.1', '192.0.2.2']
        assert len(warnings) == 1 and 'over plain http' in warnings[0] and plain.url('/ips.json') in warnings[0]
    finally:
        plain.stop()


def test_redirect_loops_are_bounded(https_server, ca_file, tmp_path):
    https_server.serve('/loop', '', redirect='/loop')
    fetcher, _c, _w = make(tmp_path, ca_file, retries=0)
    with pytest.raises(FetchError, match='more than 5 redirects'):
        fetcher.fetch(https_server.url('/loop'), parse_list)
    assert len(https_server.requests_for('/loop')) == 6


def fake_resolver(table):
    def resolve(host, port):
        if host not in table:
            raise socket.gaierror('unknown host %s' % host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, '', (table[host], 0))]
    return resolve


RESOLVE = fake_resolver({'mirror.example': '203.0.113.5', 'metadata.example': '169.254.169.254',
                         'intranet.example': '10.1.2.3', 'cdn.example': '198.51.100.7'})


@pytest.mark.parametrize('original, target, refused', [
    ('https://mirror.example/a', 'https://cdn.example/a', None),
    ('https://mirror.example/a', 'https://127.0.0.1/a', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'https://localhost:8443/a', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'https://metadata.example/latest/', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'https://169.254.169.254/latest/', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'https://intranet.example/a', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'https://[::1]/a', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'https://[::ffff:192.168.1.1]/a', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'https://0.0.0.0/a', 'a loopback, link-local or private address'),
    ('https://mirror.example/a', 'http://cdn.example/a', 'from https to plain http is refused'),
    ('https://mirror.example/a', 'file:///etc/passwd', "the scheme 'file' is not followed"),
    ('https://127.0.0.1:8443/a', 'https://127.0.0.1:9443/b', None),  # a mirror on loopback stays possible
    ('https://localhost/a', 'https://intranet.example/a', None),
    ('https://intranet.example/a', 'https://10.9.9.9/a', None),
    ('http://mirror.example/a', 'http://cdn.example/a', None),  # the user chose http
    ('http://mirror.example/a', 'https://cdn.example/a', None),
])
def test_check_redirect_classification(original, target, refused):
    answer = check_redirect(original, original, target, resolve=RESOLVE)
    if refused is None:
        assert answer is None
    else:
        assert refused in answer


def test_redact_url_hides_userinfo_and_query_values_keeps_the_rest():
    assert redact_url('https://user:s3cr3t@mirror.example:8443/p/ips.csv?access_token=T0K&fmt=csv#frag') == \
        'https://***@mirror.example:8443/p/ips.csv?access_token=***&fmt=***#***'
    assert redact_url('https://mirror.example/ips.json') == 'https://mirror.example/ips.json'
    assert redact_url('https://mirror.example/ips.json?TOKENONLY') == 'https://mirror.example/ips.json?***'
    assert 's3cr3t' not in redact_url('https://user:s3cr3t@[::1')  # unparsable, still nothing secret
    assert set(url_secrets('https://u:p%40ss@h/x?k=v%2Fw')) >= {'u:p%40ss', 'p%40ss', 'p@ss', 'v%2Fw', 'v/w'}


def test_secrets_in_the_url_appear_in_no_error_warning_provenance_or_cache_file(https_server, ca_file, tmp_path):
    https_server.serve('/list.json?access_token=TOKEN123', GOOD, auth=('user', 's3cr3t'))
    secret_url = https_server.url('/list.json?access_token=TOKEN123').replace('https://', 'https://user:s3cr3t@')
    fetcher, clock, warnings = make(tmp_path, ca_file, cache_ttl=0, max_stale=3600, retries=0)
    doc = fetcher.fetch(secret_url, parse_list)  # the server checked the Basic auth and the query
    assert doc.provenance()['url'] == https_server.url('/list.json?access_token=***').replace('https://', 'https://***@')
    https_server.script('/list.json?access_token=TOKEN123', (500, {}, 'down'))
    assert fetcher.fetch(secret_url, parse_list).origin == 'cache'  # stale, with a warning naming the URL
    refused = secret_url.replace(':%d/' % https_server._server.server_address[1], ':9/')
    with pytest.raises(FetchError) as error:  # requests' own message echoes the path and query
        fetcher.fetch(refused, parse_list)
    stored = ''.join(p.read_text(errors='replace') for p in (tmp_path / 'cache').rglob('*') if p.is_file())
    for text in [str(error.value), stored] + warnings:
        assert 'TOKEN123' not in text and 's3cr3t' not in text, text
    assert 'access_token=***' in str(error.value) and 'access_token=***' in warnings[0]


def test_headers_are_sent_and_kept_from_other_hosts_on_redirect(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD, headers={'Authorization': 'Bearer TOKEN123'})
    fetcher, _c, _w = make(tmp_path, ca_file, headers={'Authorization': 'Bearer TOKEN123'})
    assert fetcher.fetch(https_server.url('/ips.json'), parse_list).origin == 'network'
    other = HttpsServer(ca=https_server.ca).start()
    try:
        other.serve('/ips.json', GOOD)
        https_server.serve('/moved.json', '', redirect=other.url('/ips.json'), headers={'Authorization': 'Bearer TOKEN123'})
        assert fetcher.fetch(https_server.url('/moved.json'), parse_list).origin == 'network'
        assert 'Authorization' not in other.requests[0]['headers']
    finally:
        other.stop()
    with pytest.raises(EgressError, match='Invalid value for header X-Bad'):
        FetchOptions(headers={'X-Bad': 'a\r\nHost: evil'})


def test_an_unverified_copy_never_answers_a_verified_request(https_server, ca_file, tmp_path):
    https_server.serve('/ips.json', GOOD)
    cache = str(tmp_path / 'cache')
    insecure = Fetcher(FetchOptions(cache_dir=cache, validate_certs=False))
    assert insecure.fetch(https_server.url('/ips.json'), parse_list).origin == 'network'
    for options in ({'cache_ttl': 600}, {'cache_ttl': 0, 'max_stale': 86400}):
        verified = Fetcher(FetchOptions(cache_dir=cache, retries=0, **options))  # system CAs: the test CA is unknown
        with pytest.raises(FetchError, match='TLS error'):
            verified.fetch(https_server.url('/ips.json'), parse_list)
    with pytest.raises(FetchError, match='Offline and no cached copy'):
        Fetcher(FetchOptions(cache_dir=cache, offline=True)).fetch(https_server.url('/ips.json'), parse_list)
    # A copy verified against one CA bundle does not answer a request that trusts another one.
    Fetcher(FetchOptions(cache_dir=cache, ca_path=ca_file)).fetch(https_server.url('/ips.json'), parse_list)
    other_ca = tmp_path / 'other-ca.pem'
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with pytest.raises(FetchError, match='Offline and no cached copy'):
        Fetcher(FetchOptions(cache_dir=cache, offline=True, ca_path=str(other_ca))).fetch(https_server.url('/ips.json'), parse_list)
    assert Fetcher(FetchOptions(cache_dir=cache, offline=True, ca_path=ca_file)).fetch(
        https_server.url('/ips.json'), parse_list).origin == 'cache'


def test_a_redirect_on_the_same_host_keeps_the_basic_auth_of_the_url(https_server, ca_file, tmp_path):
    https_server.serve('/v2/ips.json', GOOD, auth=('user', 's3cr3t'))
    https_server.serve('/ips.json', '', redirect='/v2/ips.json', auth=('user', 's3cr3t'))
    fetcher, _c, _w = make(tmp_path, ca_file, retries=0)
    doc = fetcher.fetch(https_server.url('/ips.json').replace('https://', 'https://user:s3cr3t@'), parse_list)
    assert doc.parsed == ['192.0.2.1', '192.0.2.2']
    assert doc.provenance()['final_url'] == https_server.url('/v2/ips.json').replace('https://', 'https://***@')


class _Answer(object):
    def __init__(self, status, retry_after=None):
        self.status_code = status
        self.headers = {'Retry-After': retry_after} if retry_after else {}


def _policy_run(policy, answers):
    """Run `policy` over attempts that answer `answers` in turn (None: success); return the result or the error."""
    answers = list(answers)

    def attempt(deadline):
        answer = answers.pop(0)
        if answer is None:
            return 'done'
        policy.check_status(answer, 'HTTP %d' % answer.status_code)
        raise EgressError('refused: HTTP %d' % answer.status_code)

    try:
        return policy.run(attempt, lambda error: EgressError('tls'),
                          lambda problem, wait: EgressError('%s: retry after %ds is beyond the budget' % (problem, wait)),
                          lambda problem, attempts: EgressError('%s after %d attempts' % (problem, attempts)))
    except EgressError as error:
        return str(error)


def test_retry_policy_backs_off_honours_retry_after_and_gives_up():
    sleeps = []
    policy = RetryPolicy(5, retries=3, backoff=0.5, max_retry_wait=10, sleep=sleeps.append, clock=lambda: 0.0)
    assert _policy_run(policy, [_Answer(502), _Answer(429, '3'), _Answer(503), None]) == 'done'
    assert sleeps == [0.5, 3.0, 2.0]
    del sleeps[:]
    assert _policy_run(policy, [_Answer(500)] * 4) == 'HTTP 500 after 4 attempts'
    assert sleeps == [0.5, 1.0, 2.0]
    assert _policy_run(policy, [_Answer(429, '11')]) == 'HTTP 429: retry after 11s is beyond the budget'
    assert _policy_run(policy, [_Answer(404)]) == 'refused: HTTP 404'
    assert _policy_run(policy, [_Answer(501)]) == 'refused: HTTP 501'  # not in the fetcher's RETRY_STATUSES
    atlas_like = RetryPolicy(5, retries=1, backoff=1.0, max_retry_wait=10, retry_statuses=tuple(range(500, 600)),
                             sleep=sleeps.append)
    assert _policy_run(atlas_like, [_Answer(501), None]) == 'done'
