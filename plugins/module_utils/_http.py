# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fetch a publisher's document over HTTPS, with retries, rate-limit manners and an on-disk cache.

A document is only cached after the caller's `parse` accepted it, so an HTML
error page or a truncated file can never replace a good copy, and can never
become an empty allowlist.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import tempfile
import time
import traceback

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError

USER_AGENT = 'allowlist.egress (Ansible collection)'
DEFAULT_MAX_SIZE = 32 * 1024 * 1024
RETRY_STATUSES = (500, 502, 503, 504)


def default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'allowlist.egress')


def format_age(seconds):
    seconds = int(max(seconds, 0))
    if seconds < 60:
        return '%ds' % seconds
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return '%dm %ds' % (minutes, seconds)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return '%dh %dm' % (hours, minutes)
    return '%dd %dh' % divmod(hours, 24)


def iso_time(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


class FetchOptions(object):
    """How to fetch: the options every HTTP source shares."""

    def __init__(self, timeout=10.0, retries=3, backoff=1.0, max_retry_wait=60.0, validate_certs=True,
                 ca_path=None, max_size=DEFAULT_MAX_SIZE, cache_dir=None, cache_ttl=600, max_stale=0,
                 offline=False):
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_retry_wait = float(max_retry_wait)
        self.validate_certs = bool(validate_certs)
        self.ca_path = ca_path
        self.max_size = int(max_size)
        self.cache_dir = cache_dir or default_cache_dir()
        self.cache_ttl = float(cache_ttl)
        self.max_stale = float(max_stale)
        self.offline = bool(offline)
        for name in ('timeout', 'retries', 'max_retry_wait', 'max_size', 'cache_ttl', 'max_stale'):
            if getattr(self, name) < 0:
                raise EgressError('Invalid %s %r: must not be negative' % (name, getattr(self, name)))


class Document(object):
    """One fetched document and where it came from."""

    def __init__(self, url, origin, fetched_at, body=None, body_path=None, etag=None, last_modified=None,
                 digest=None, parsed=None, revalidated=False, now=None, snapshot=None):
        self.url = url
        self.origin = origin  # network, cache or snapshot
        self.fetched_at = fetched_at
        self._body = body
        self._body_path = body_path
        self.etag = etag
        self.last_modified = last_modified
        self.digest = digest or (hashlib.sha256(body).hexdigest() if body is not None else None)
        self.parsed = parsed
        self.revalidated = revalidated
        self.snapshot = snapshot  # the bundled Snapshot when origin is 'snapshot'
        self.age = max(0.0, (now or time.time()) - fetched_at)

    @property
    def body(self):
        if self._body is None and self._body_path:
            with open(self._body_path, 'rb') as f:
                self._body = f.read()
        return self._body

    def provenance(self):
        info = {
            'url': self.url,
            'origin': self.origin,
            'fetched_at': iso_time(self.fetched_at),
            'age_seconds': int(self.age),
        }
        if self.etag:
            info['etag'] = self.etag
        if self.last_modified:
            info['last_modified'] = self.last_modified
        if self.origin == 'cache':
            info['revalidated'] = self.revalidated
        return info


class DiskCache(object):
    """Body and metadata per URL, written atomically (temp file + rename)."""

    def __init__(self, directory):
        self.directory = directory

    def _key(self, url, headers):
        accept = (headers or {}).get('Accept', '')
        return hashlib.sha256(('%s\n%s' % (url, accept)).encode('utf-8')).hexdigest()

    def _paths(self, url, headers):
        key = self._key(url, headers)
        return os.path.join(self.directory, key + '.json'), os.path.join(self.directory, key + '.body')

    def load(self, url, headers):
        meta_path, body_path = self._paths(url, headers)
        try:
            with open(meta_path, 'r') as f:
                meta = json.load(f)
        except (IOError, OSError, ValueError):
            return None
        if meta.get('url') != url or not os.path.exists(body_path):
            return None
        meta['body_path'] = body_path
        return meta

    def store(self, url, headers, body, etag, last_modified, fetched_at):
        meta_path, body_path = self._paths(url, headers)
        meta = {'url': url, 'etag': etag, 'last_modified': last_modified, 'fetched_at': fetched_at,
                'digest': hashlib.sha256(body).hexdigest(), 'size': len(body)}
        self._write(body_path, body)
        self._write(meta_path, json.dumps(meta, sort_keys=True).encode('utf-8'))
        return meta

    def touch(self, url, headers, meta, fetched_at):
        meta = dict(meta)
        meta.pop('body_path', None)
        meta['fetched_at'] = fetched_at
        meta_path = self._paths(url, headers)[0]
        self._write(meta_path, json.dumps(meta, sort_keys=True).encode('utf-8'))

    def _write(self, path, data):
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix='.tmp-')
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(data)
            os.replace(tmp, path)
        except Exception:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def result_path(self, key):
        return os.path.join(self.directory, 'results', key + '.json')

    def load_result(self, key):
        try:
            with open(self.result_path(key), 'r') as f:
                return json.load(f)
        except (IOError, OSError, ValueError):
            return None

    def store_result(self, key, value):
        DiskCache(os.path.join(self.directory, 'results'))._write(
            self.result_path(key), json.dumps(value, separators=(',', ':')).encode('utf-8'))


def parse_retry_after(value, now):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


class Fetcher(object):
    """Fetches documents; one instance per plugin run (it keeps one HTTP session)."""

    def __init__(self, options, warn=None, sleep=time.sleep, clock=time.time):
        self.options = options
        self.warn = warn or (lambda msg: None)
        self.sleep = sleep
        self.clock = clock
        self.cache = DiskCache(options.cache_dir)
        self._session = None

    def _get_session(self):
        if not HAS_REQUESTS:
            raise EgressError('The Python library requests is required (pip install requests): %s' % REQUESTS_IMPORT_ERROR)
        if self._session is None:
            self._session = requests.Session()  # trust_env: proxies and CA bundle from the environment
            self._session.headers['User-Agent'] = USER_AGENT
        return self._session

    def fetch(self, url, parse, headers=None):
        """Return a Document for `url`; `parse(body, url)` validates a new body (raises FetchError).

        Order: a fresh cached copy (no request at all), else a conditional GET,
        else on failure a cached copy no older than max_stale.
        """
        opts = self.options
        now = self.clock()
        cached = self.cache.load(url, headers)
        if cached is not None:
            age = now - cached['fetched_at']
            if opts.offline or age < opts.cache_ttl:
                if opts.offline and age >= opts.cache_ttl:
                    self.warn('Offline: using a cached copy of %s fetched %s ago (%s)'
                              % (url, format_age(age), iso_time(cached['fetched_at'])))
                return self._from_cache(url, cached, now)
        if opts.offline:
            raise FetchError('Offline and no cached copy of %s' % url)
        try:
            return self._download(url, parse, headers, cached)
        except FetchError as error:
            if cached is not None:
                age = now - cached['fetched_at']
                if opts.max_stale > 0 and age <= opts.max_stale:
                    self.warn('Using a cached copy of %s fetched %s ago (%s), because the fetch failed: %s'
                              % (url, format_age(age), iso_time(cached['fetched_at']), error))
                    return self._from_cache(url, cached, now)
                if opts.max_stale > 0:
                    raise FetchError('%s (the cached copy is %s old, more than max_stale %ds)'
                                     % (error, format_age(age), opts.max_stale))
            raise

    def _from_cache(self, url, meta, now, revalidated=False):
        return Document(url, 'cache', meta['fetched_at'], body_path=meta['body_path'], etag=meta.get('etag'),
                        last_modified=meta.get('last_modified'), digest=meta.get('digest'),
                        revalidated=revalidated, now=now)

    def _download(self, url, parse, headers, cached):
        opts = self.options
        session = self._get_session()
        request_headers = dict(headers or {})
        if cached is not None:
            if cached.get('etag'):
                request_headers['If-None-Match'] = cached['etag']
            if cached.get('last_modified'):
                request_headers['If-Modified-Since'] = cached['last_modified']
        verify = opts.ca_path if (opts.validate_certs and opts.ca_path) else opts.validate_certs
        waited = 0.0
        attempt = 0
        while True:
            problem, wait = None, None
            try:
                response = session.get(url, headers=request_headers, timeout=opts.timeout, verify=verify, stream=True)
            except requests.exceptions.SSLError as error:
                raise FetchError('Fetching %s failed: TLS error (%s); set ca_path to the CA bundle that signs it, '
                                 'or validate_certs=false' % (url, error))
            except requests.exceptions.RequestException as error:
                problem = 'connection failed: %s' % error
            else:
                try:
                    status = response.status_code
                    if status == 304 and cached is not None:
                        now = self.clock()
                        self.cache.touch(url, headers, cached, now)
                        return self._from_cache(url, cached, now, revalidated=True)
                    if status == 200:
                        return self._accept(url, response, parse, headers)
                    problem = 'HTTP %d %s' % (status, response.reason or '')
                    if status in (429, 503):
                        wait = parse_retry_after(response.headers.get('Retry-After'), self.clock())
                        if wait is not None and wait > opts.max_retry_wait - waited:
                            raise FetchError('Fetching %s failed: %s, and the server asks to retry after %ds, '
                                             'beyond the max_retry_wait budget (%ds)'
                                             % (url, problem.strip(), wait, opts.max_retry_wait))
                    elif status not in RETRY_STATUSES:
                        raise FetchError('Fetching %s failed: %s' % (url, problem.strip()))
                finally:
                    response.close()
            if attempt >= opts.retries:
                raise FetchError('Fetching %s failed after %d attempts: %s' % (url, attempt + 1, problem.strip()))
            if wait is None:
                wait = opts.backoff * (2 ** attempt)
            wait = min(wait, max(0.0, opts.max_retry_wait - waited))
            if wait > 0:
                self.sleep(wait)
                waited += wait
            attempt += 1

    def _accept(self, url, response, parse, headers):
        opts = self.options
        length = response.headers.get('Content-Length')
        if length and length.isdigit() and int(length) > opts.max_size:
            raise FetchError('Fetching %s failed: the document is %s bytes, more than max_size %d'
                             % (url, length, opts.max_size))
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > opts.max_size:
                    raise FetchError('Fetching %s failed: the document is larger than max_size %d' % (url, opts.max_size))
                chunks.append(chunk)
        except requests.exceptions.RequestException as error:
            raise FetchError('Fetching %s failed while reading the body: %s' % (url, error))
        body = b''.join(chunks)
        parsed = parse(body, url)  # raises FetchError: nothing is cached then
        now = self.clock()
        etag = response.headers.get('ETag')
        last_modified = response.headers.get('Last-Modified')
        try:
            self.cache.store(url, headers, body, etag, last_modified, now)
        except (IOError, OSError) as error:
            self.warn('Could not write the cache in %s: %s' % (self.cache.directory, error))
        return Document(url, 'network', now, body=body, etag=etag, last_modified=last_modified, parsed=parsed, now=now)
