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
import ipaddress
import json
import os
import socket
import threading
import time
import traceback
import urllib.parse

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    import requests.adapters
    import urllib3.connection
    import urllib3.connectionpool
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.allowlist.egress.plugins.module_utils import _entry_policy, _files
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError

USER_AGENT = 'allowlist.egress (Ansible collection)'
# The fetch options' defaults, for the egress_ranges module and lookup (the fetch doc fragment states them).
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_RETRY_WAIT = 60.0
DEFAULT_MAX_SIZE = 32 * 1024 * 1024
DEFAULT_CACHE_TTL = 600
DEFAULT_MAX_STALE = 0
RETRY_STATUSES = (500, 502, 503, 504)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
REDACTED = '***'


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


def redact_url(url):
    """The URL with its userinfo and every query value replaced by ***, for anything we print or return."""
    if not isinstance(url, str):
        return url
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc
    except ValueError:
        return url.split('://', 1)[0] + '://' + REDACTED  # unparsable: show nothing that could be a secret
    if '@' in netloc:
        netloc = REDACTED + '@' + netloc.rsplit('@', 1)[1]
    query = '&'.join((piece.split('=', 1)[0] + '=' + REDACTED) if '=' in piece else REDACTED
                     for piece in parts.query.split('&') if piece)
    fragment = REDACTED if parts.fragment else ''
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def url_secrets(url):
    """The parts of `url` that redact_url() hides (raw and percent-decoded), longest first."""
    if not isinstance(url, str):
        return []
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return []
    found = set()
    if '@' in parts.netloc:
        userinfo = parts.netloc.rsplit('@', 1)[0]
        found.update([userinfo] + userinfo.split(':', 1))
    for piece in parts.query.split('&'):
        found.add(piece.split('=', 1)[1] if '=' in piece else piece)
    found.add(parts.fragment)
    found.update([urllib.parse.unquote_plus(v) for v in found])
    return sorted((v for v in found if v), key=len, reverse=True)


def scrub(text, secrets):
    """`text` with every secret replaced by ***: for messages from libraries that echo a URL (requests does)."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def is_internal_host(host, resolve=socket.getaddrinfo):
    """True when `host` is, or resolves to, a loopback, link-local, private or unspecified address."""
    host = (host or '').strip('[]').lower()
    if host == 'localhost' or host.endswith('.localhost'):
        return True
    try:
        addresses = [ipaddress.ip_address(host.split('%', 1)[0])]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(info[4][0].split('%', 1)[0]) for info in resolve(host, None)]
        except (OSError, UnicodeError, ValueError):
            return False  # does not resolve: the request itself will fail
    # Where a redirect must not lead unless the URL asked for was already there (a mirror on loopback): the
    # ranges the entry policy never lets into an allowlist from the network (loopback, link-local with cloud
    # metadata at 169.254.169.254, private, CGNAT, unspecified, IPv4-mapped, ...).
    for address in addresses:
        value = int(address)
        if _entry_policy.special_range((address.version, value, value)):
            return True
    return False


def check_redirect(original, current, target, resolve=socket.getaddrinfo):
    """Return None when following a redirect from `current` to `target` is allowed, else why not.

    `original` is the URL the user asked for: a mirror on loopback or a private network may redirect
    within it, a public URL may not redirect there (that reaches internal services).
    """
    scheme = urllib.parse.urlsplit(target).scheme.lower()
    if scheme not in ('http', 'https'):
        return 'a redirect to the scheme %r is not followed' % scheme
    if urllib.parse.urlsplit(current).scheme.lower() == 'https' and scheme == 'http':
        return 'a redirect from https to plain http is refused (the list could be altered in transit)'
    target_host = urllib.parse.urlsplit(target).hostname
    if is_internal_host(target_host, resolve) and not is_internal_host(urllib.parse.urlsplit(original).hostname, resolve):
        return ('a redirect to %s, a loopback, link-local or private address, is refused because %s is not one'
                % (target_host, urllib.parse.urlsplit(original).hostname))
    return None


class Deadline(object):
    """A whole-request time budget: connect, TLS, headers and body, however slowly a server sends them.

    A socket timeout bounds each read, not the request: a server sending one byte a second never
    trips it. When the budget runs out, a timer shuts down the sockets the request opened (connections
    register themselves, see new_session()), which ends any blocked read at once.
    """

    _local = threading.local()

    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self.expired = False
        self._connections = []
        self._lock = threading.Lock()
        self._timer = None

    def __enter__(self):
        self.start = self.clock()
        Deadline._local.current = self
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        Deadline._local.current = None

    def remaining(self):
        return max(0.001, self.seconds - (self.clock() - self.start))

    @classmethod
    def watch(cls, connection):
        deadline = getattr(cls._local, 'current', None)
        if deadline is not None:
            with deadline._lock:
                if connection not in deadline._connections:
                    deadline._connections.append(connection)
                expired = deadline.expired
            if expired:
                deadline._shutdown(connection)

    def _expire(self):
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            self._shutdown(connection)

    @staticmethod
    def _shutdown(connection):
        sock = getattr(connection, 'sock', None)
        if sock is not None:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, also under TLS
            except OSError:
                pass


if HAS_REQUESTS:
    class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
        def connect(self):
            Deadline.watch(self)
            super(_WatchedHTTPConnection, self).connect()

        def request(self, *args, **kwargs):
            Deadline.watch(self)
            return super(_WatchedHTTPConnection, self).request(*args, **kwargs)

    class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
        def connect(self):
            Deadline.watch(self)
            super(_WatchedHTTPSConnection, self).connect()

        def request(self, *args, **kwargs):
            Deadline.watch(self)
            return super(_WatchedHTTPSConnection, self).request(*args, **kwargs)

    class _WatchedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
        ConnectionCls = _WatchedHTTPConnection

    class _WatchedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
        ConnectionCls = _WatchedHTTPSConnection

    class _WatchedAdapter(requests.adapters.HTTPAdapter):
        """Opens connections that a Deadline can shut down."""

        POOLS = {'http': _WatchedHTTPPool, 'https': _WatchedHTTPSPool}

        def init_poolmanager(self, *args, **kwargs):
            super(_WatchedAdapter, self).init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = dict(self.POOLS)

        def proxy_manager_for(self, proxy, **proxy_kwargs):
            manager = super(_WatchedAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
            if getattr(manager, 'pool_classes_by_scheme', None) is not None and not proxy.lower().startswith('socks'):
                manager.pool_classes_by_scheme = dict(self.POOLS)
            return manager


def new_session():
    """A requests session whose requests a Deadline bounds; proxies and CA bundle come from the environment."""
    if not HAS_REQUESTS:
        raise EgressError('The Python library requests is required (pip install requests): %s' % REQUESTS_IMPORT_ERROR)
    session = requests.Session()
    session.mount('https://', _WatchedAdapter())
    session.mount('http://', _WatchedAdapter())
    session.headers['User-Agent'] = USER_AGENT
    return session


class FetchOptions(object):
    """How to fetch: the options every HTTP source shares."""

    def __init__(self, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, backoff=DEFAULT_BACKOFF,
                 max_retry_wait=DEFAULT_MAX_RETRY_WAIT, validate_certs=True, ca_path=None, max_size=DEFAULT_MAX_SIZE,
                 cache_dir=None, cache_ttl=DEFAULT_CACHE_TTL, max_stale=DEFAULT_MAX_STALE, offline=False, headers=None):
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
        self.headers = check_headers(headers)
        for name in ('timeout', 'retries', 'max_retry_wait', 'max_size', 'cache_ttl', 'max_stale'):
            if getattr(self, name) < 0:
                raise EgressError('Invalid %s %r: must not be negative' % (name, getattr(self, name)))
        if self.timeout == 0:
            raise EgressError('Invalid timeout 0: the whole request needs some time')

    def tls_marker(self):
        """What the cache must key on so that a copy fetched with weaker TLS never answers a verified request."""
        if not self.validate_certs:
            return 'unverified'
        if not self.ca_path:
            return 'verified'
        try:
            with open(self.ca_path, 'rb') as f:
                return 'ca:' + hashlib.sha256(f.read()).hexdigest()
        except (IOError, OSError):
            return 'ca-path:' + self.ca_path  # the request will fail on it anyway


def check_headers(headers):
    """The headers option: names and values are strings, without line breaks (no header injection)."""
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise EgressError('Invalid headers: expected a dictionary of header names and values, got %s'
                          % type(headers).__name__)
    checked = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not name.strip() or any(c in name for c in ':\r\n'):
            raise EgressError('Invalid header name %r in headers' % (name,))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or '\r' in value or '\n' in value:
            raise EgressError('Invalid value for header %s in headers: expected one line of text' % name)
        checked[name] = value
    return checked


class Document(object):
    """One fetched document and where it came from. `url` is already redacted (see redact_url)."""

    def __init__(self, url, origin, fetched_at, body=None, body_path=None, etag=None, last_modified=None,
                 digest=None, parsed=None, revalidated=False, now=None, snapshot=None, final_url=None):
        self.url = url
        self.final_url = final_url if final_url != url else None  # after redirects, redacted
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
        if self.final_url:
            info['final_url'] = self.final_url
        if self.etag:
            info['etag'] = self.etag
        if self.last_modified:
            info['last_modified'] = self.last_modified
        if self.origin == 'cache':
            info['revalidated'] = self.revalidated
        return info


class DiskCache(object):
    """Body and metadata per request, written atomically (temp file, fsync, rename).

    The key covers the URL, every request header (the source's Accept, the user's tokens) and the TLS
    settings; the metadata holds only the redacted URL.
    """

    def __init__(self, directory):
        self.directory = directory
        # A copy or memoised result another local user planted would be served as the publisher's list (a memo
        # is not checked again), and a symlink planted under a predictable name would be written through.
        try:
            _files.check_private_directory(directory, 'cache_dir')
            self.refused = None
        except EgressError as error:
            self.refused = str(error)
        except (IOError, OSError):
            self.refused = None  # not there yet: created 0700 by the first write

    def _key(self, url, headers, tls=''):
        material = json.dumps([url, sorted((headers or {}).items()), tls], sort_keys=True)
        return hashlib.sha256(material.encode('utf-8')).hexdigest()

    def _paths(self, url, headers, tls=''):
        key = self._key(url, headers, tls)
        return os.path.join(self.directory, key + '.json'), os.path.join(self.directory, key + '.body')

    def load(self, url, headers, tls=''):
        if self.refused:
            return None
        meta_path, body_path = self._paths(url, headers, tls)
        try:
            with open(meta_path, 'r') as f:
                meta = json.load(f)
        except (IOError, OSError, ValueError):
            return None
        if meta.get('url') != redact_url(url) or meta.get('tls', '') != tls or not os.path.exists(body_path):
            return None
        meta['body_path'] = body_path
        return meta

    def store(self, url, headers, body, etag, last_modified, fetched_at, tls='', final_url=None):
        meta_path, body_path = self._paths(url, headers, tls)
        meta = {'url': redact_url(url), 'tls': tls, 'etag': etag, 'last_modified': last_modified,
                'fetched_at': fetched_at, 'digest': hashlib.sha256(body).hexdigest(), 'size': len(body)}
        if final_url:
            meta['final_url'] = redact_url(final_url)
        self._write(body_path, body)
        self._write(meta_path, json.dumps(meta, sort_keys=True).encode('utf-8'))
        return meta

    def touch(self, url, headers, meta, fetched_at, tls=''):
        meta = dict(meta)
        meta.pop('body_path', None)
        meta['fetched_at'] = fetched_at
        meta_path = self._paths(url, headers, tls)[0]
        self._write(meta_path, json.dumps(meta, sort_keys=True).encode('utf-8'))

    def _write(self, path, data):
        if self.refused:
            return
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, mode=0o700)
        _files.write_atomic(path, data, mode=0o600)

    def result_path(self, key):
        return os.path.join(self.directory, 'results', key + '.json')

    def load_result(self, key):
        if self.refused:
            return None
        try:
            with open(self.result_path(key), 'r') as f:
                return json.load(f)
        except (IOError, OSError, ValueError):
            return None

    def store_result(self, key, value):
        if self.refused:
            return
        DiskCache(os.path.join(self.directory, 'results'))._write(
            self.result_path(key), json.dumps(value, separators=(',', ':')).encode('utf-8'))


def parse_retry_after(value, now):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def _keep_userinfo(original, target):
    """A redirect within the same origin keeps the URL's user:password (requests sends it as Basic auth)."""
    parts, first = urllib.parse.urlsplit(target), urllib.parse.urlsplit(original)
    if '@' in first.netloc and '@' not in parts.netloc and _origin(target) == _origin(original):
        return urllib.parse.urlunsplit(parts._replace(netloc=first.netloc.rsplit('@', 1)[0] + '@' + parts.netloc))
    return target


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return (parts.scheme.lower(), parts.hostname, parts.port)


class RetryLater(Exception):
    """One attempt failed in a way worth retrying: `problem` says how, `wait` is the server's Retry-After."""

    def __init__(self, problem, wait=None):
        super(RetryLater, self).__init__(problem)
        self.problem, self.wait = problem, wait


class RetryPolicy(object):
    """How a client retries a request; the fetcher and the Atlas API client both go through run().

    Each attempt runs within a whole-request Deadline of `timeout` seconds. An attempt worth repeating (a
    connection error, a status in `retry_statuses`, 429 or 503) is retried up to `retries` more times,
    waiting `backoff` * 2**n seconds, or what the server's Retry-After asks, within `max_retry_wait`
    seconds of waiting in all. A Retry-After beyond what is left of that budget ends the request at once.
    """

    def __init__(self, timeout, retries, backoff, max_retry_wait, retry_statuses=RETRY_STATUSES,
                 sleep=time.sleep, clock=time.time):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.retry_statuses = retry_statuses
        self.sleep = sleep
        self.clock = clock

    def run(self, attempt, tls_error, beyond_budget, gave_up):
        """Return attempt(deadline), called again while it raises RetryLater.

        A requests error out of an attempt is retried (as too slow when the deadline expired), but a TLS
        error raises tls_error(error). beyond_budget(problem, wait) and gave_up(problem, attempts) make
        the exception that ends the loop.
        """
        waited = 0.0
        retried = 0
        while True:
            try:
                return self._bounded(attempt, tls_error)
            except RetryLater as retry:
                problem, wait = retry.problem, retry.wait
            if wait is not None and wait > self.max_retry_wait - waited:
                raise beyond_budget(problem, wait)
            if retried >= self.retries:
                raise gave_up(problem, retried + 1)
            if wait is None:
                wait = self.backoff * (2 ** retried)
            wait = min(wait, max(0.0, self.max_retry_wait - waited))
            if wait > 0:
                self.sleep(wait)
                waited += wait
            retried += 1

    def _bounded(self, attempt, tls_error):
        with Deadline(self.timeout) as deadline:
            try:
                return attempt(deadline)
            except requests.exceptions.SSLError as error:
                if deadline.expired:
                    raise self.too_slow()
                raise tls_error(error)
            except requests.exceptions.RequestException as error:
                if deadline.expired:
                    raise self.too_slow()
                raise RetryLater('connection failed: %s' % error)

    def too_slow(self):
        return RetryLater('no complete answer within the timeout of %gs (connect, headers and body)' % self.timeout)

    def check_status(self, response, problem):
        """Raise RetryLater when the response's status is worth another attempt; 429 and 503 carry Retry-After."""
        status = response.status_code
        if status in (429, 503):
            raise RetryLater(problem, parse_retry_after(response.headers.get('Retry-After'), self.clock()))
        if status in self.retry_statuses:
            raise RetryLater(problem)


class Fetcher(object):
    """Fetches documents; one instance per plugin run (it keeps one HTTP session)."""

    def __init__(self, options, warn=None, sleep=time.sleep, clock=time.time):
        self.options = options
        self._secrets = sorted(set(v for v in options.headers.values() if len(v) >= 4), key=len, reverse=True)
        user_warn = warn or (lambda msg: None)
        self.warn = lambda msg: user_warn(scrub(msg, self._secrets))
        self.clock = clock
        self.cache = DiskCache(options.cache_dir)
        if self.cache.refused:
            self.warn('Not using the cache: %s' % self.cache.refused)
        self.retry = RetryPolicy(options.timeout, options.retries, options.backoff, options.max_retry_wait,
                                 sleep=sleep, clock=clock)
        self._session = None

    def _get_session(self):
        if self._session is None:
            self._session = new_session()
        return self._session

    def fetch(self, url, parse, headers=None):
        """Return a Document for `url`; `parse(body, url)` validates a new body (raises FetchError).

        Order: a fresh cached copy (no request at all), else a conditional GET,
        else on failure a cached copy no older than max_stale. Every message names the redacted URL.
        """
        self._secrets = sorted(set(self._secrets) | set(url_secrets(url)), key=len, reverse=True)
        try:
            return self._fetch(url, redact_url(url), parse, headers)
        except FetchError as error:
            raise FetchError(scrub(str(error), self._secrets))

    def _fetch(self, url, shown, parse, headers):
        opts = self.options
        headers = dict(opts.headers, **(headers or {}))  # the source's own (Accept) win over the user's
        tls = opts.tls_marker()
        now = self.clock()
        cached = self.cache.load(url, headers, tls)
        if cached is not None:
            age = now - cached['fetched_at']
            if opts.offline or age < opts.cache_ttl:
                if opts.offline and age >= opts.cache_ttl:
                    self.warn('Offline: using a cached copy of %s fetched %s ago (%s)'
                              % (shown, format_age(age), iso_time(cached['fetched_at'])))
                return self._from_cache(shown, cached, now)
        if opts.offline:
            raise FetchError('Offline and no cached copy of %s' % shown)
        try:
            return self._download(url, shown, parse, headers, cached, tls)
        except FetchError as error:
            if cached is not None:
                age = now - cached['fetched_at']
                if opts.max_stale > 0 and age <= opts.max_stale:
                    self.warn('Using a cached copy of %s fetched %s ago (%s), because the fetch failed: %s'
                              % (shown, format_age(age), iso_time(cached['fetched_at']), error))
                    return self._from_cache(shown, cached, now)
                if opts.max_stale > 0:
                    raise FetchError('%s (the cached copy is %s old, more than max_stale %ds)'
                                     % (error, format_age(age), opts.max_stale))
            raise

    def _from_cache(self, shown, meta, now, revalidated=False):
        return Document(shown, 'cache', meta['fetched_at'], body_path=meta['body_path'], etag=meta.get('etag'),
                        last_modified=meta.get('last_modified'), digest=meta.get('digest'),
                        revalidated=revalidated, now=now, final_url=meta.get('final_url'))

    def _download(self, url, shown, parse, headers, cached, tls):
        opts = self.options
        if urllib.parse.urlsplit(url).scheme.lower() == 'http':
            self.warn('Fetching %s over plain http: anyone on the path can change the list; use https' % shown)
        request_headers = dict(headers)
        if cached is not None:
            if cached.get('etag'):
                request_headers['If-None-Match'] = cached['etag']
            if cached.get('last_modified'):
                request_headers['If-Modified-Since'] = cached['last_modified']

        def beyond_budget(problem, wait):
            return FetchError('Fetching %s failed: %s, and the server asks to retry after %ds, beyond the '
                              'max_retry_wait budget (%ds)' % (shown, problem.strip(), wait, opts.max_retry_wait))

        def gave_up(problem, attempts):
            return FetchError('Fetching %s failed after %d attempts: %s' % (shown, attempts, problem.strip()))

        def tls_error(error):
            return FetchError('Fetching %s failed: TLS error (%s); set ca_path to the CA bundle that signs it, '
                              'or validate_certs=false' % (shown, error))

        return self.retry.run(
            lambda deadline: self._attempt(url, shown, parse, headers, request_headers, cached, tls, deadline),
            tls_error, beyond_budget, gave_up)

    def _attempt(self, url, shown, parse, headers, request_headers, cached, tls, deadline):
        """One attempt, redirects included, within the deadline; raises RetryLater or FetchError."""
        opts = self.options
        session = self._get_session()
        verify = opts.ca_path if (opts.validate_certs and opts.ca_path) else opts.validate_certs
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            response = session.get(current, headers=self._hop_headers(url, current, headers, request_headers),
                                   verify=verify, stream=True,
                                   allow_redirects=False, timeout=min(opts.timeout, deadline.remaining()))
            try:
                target = self._redirect_target(url, current, response, shown)
                if target is None:
                    return self._response(url, current, shown, response, parse, headers, cached, tls, deadline)
            finally:
                response.close()
            current = target
        raise FetchError('Fetching %s failed: more than %d redirects' % (shown, MAX_REDIRECTS))

    def _hop_headers(self, url, current, headers, request_headers):
        """The user's headers (tokens) go only to the host they were written for, as requests does for auth."""
        if _origin(current) == _origin(url):
            return request_headers
        return dict((k, v) for k, v in request_headers.items()
                    if k.lower() != 'authorization' and (k not in self.options.headers or headers[k] != self.options.headers[k]))

    def _redirect_target(self, original, current, response, shown):
        if response.status_code not in REDIRECT_STATUSES:
            return None
        location = response.headers.get('Location')
        if not location:
            raise FetchError('Fetching %s failed: HTTP %d without a Location header' % (shown, response.status_code))
        target = _keep_userinfo(original, urllib.parse.urljoin(current, location))
        self._secrets = sorted(set(self._secrets) | set(url_secrets(target)), key=len, reverse=True)
        refused = check_redirect(original, current, target)
        if refused:
            raise FetchError('Fetching %s failed: %s redirects to %s: %s'
                             % (shown, redact_url(current), redact_url(target), refused))
        return target

    def _response(self, url, final, shown, response, parse, headers, cached, tls, deadline):
        status = response.status_code
        if status == 304 and cached is not None:
            now = self.clock()
            self.cache.touch(url, headers, cached, now, tls)
            return self._from_cache(shown, cached, now, revalidated=True)
        if status == 200:
            return self._accept(url, final, shown, response, parse, headers, tls, deadline)
        problem = 'HTTP %d %s' % (status, response.reason or '')
        self.retry.check_status(response, problem)
        raise FetchError('Fetching %s failed: %s' % (shown, problem.strip()))

    def _accept(self, url, final, shown, response, parse, headers, tls, deadline):
        opts = self.options
        length = response.headers.get('Content-Length')
        # ASCII digits only (str.isdigit() is true of '²', which int() refuses), and no int() of thousands of them.
        if length and length.isascii() and length.isdigit():
            if len(length.lstrip('0')) > 30:
                raise FetchError('Fetching %s failed: the document is larger than max_size %d' % (shown, opts.max_size))
            if int(length) > opts.max_size:
                raise FetchError('Fetching %s failed: the document is %s bytes, more than max_size %d'
                                 % (shown, length, opts.max_size))
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > opts.max_size:
                    raise FetchError('Fetching %s failed: the document is larger than max_size %d' % (shown, opts.max_size))
                chunks.append(chunk)
        except requests.exceptions.RequestException as error:
            if deadline.expired:
                raise self.retry.too_slow()
            raise FetchError('Fetching %s failed while reading the body: %s' % (shown, error))
        if deadline.expired:  # the shut-down socket may look like the end of a body without Content-Length
            raise self.retry.too_slow()
        body = b''.join(chunks)
        parsed = parse(body, shown)  # raises FetchError: nothing is cached then
        now = self.clock()
        etag = response.headers.get('ETag')
        last_modified = response.headers.get('Last-Modified')
        final_url = redact_url(final) if final != url else None
        try:
            self.cache.store(url, headers, body, etag, last_modified, now, tls, final_url)
        except (IOError, OSError) as error:
            self.warn('Could not write the cache in %s: %s' % (self.cache.directory, error))
        return Document(shown, 'network', now, body=body, etag=etag, last_modified=last_modified, parsed=parsed,
                        now=now, final_url=final_url)
