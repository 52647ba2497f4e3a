# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get the egress ranges of one or more sources: the engine behind the egress_ranges lookup and module.

Fetch each source's documents (cache, network or bundled snapshot), turn them
into canonical addresses once, and say where every result came from. The whole
result is memoised on disk per (documents, options), so an unchanged cached
feed costs a few file reads, not a re-parse of 20,000 prefixes.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time

from ansible_collections.allowlist.egress.plugins.module_utils import _addresses, _entry_policy, _http
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils._http import Document, Fetcher, FetchOptions, redact_url
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import SOURCES, SOURCE_OPTIONS, get_source

RESULT_FORMAT = 2  # bump when the memoised result's shape changes

# Options of the lookup and the module that are not per source (documented in the egress_ranges doc fragment).
FETCH_OPTIONS = ('timeout', 'retries', 'max_retry_wait', 'validate_certs', 'ca_path', 'max_size', 'cache_dir',
                 'cache_ttl', 'max_stale', 'offline', 'headers')
# The entry policy's options (documented in the entry_policy doc fragment): a fetched list is remote.
POLICY_OPTIONS = ('min_prefixlen_v4', 'min_prefixlen_v6', 'allow_private')


def valid_source_names():
    return sorted(SOURCES)


def _check_terms(terms):
    if not terms:
        raise EgressError('No source given: name one or more of %s' % ', '.join(valid_source_names()))
    for term in terms:
        if not isinstance(term, str) or not term.strip():
            raise EgressError('Invalid source %r: expected a source name, one of %s'
                              % (term, ', '.join(valid_source_names())))
        if term not in SOURCES:
            raise EgressError('Unknown source %r: valid sources are %s' % (term, ', '.join(valid_source_names())))


def _check_source_options(terms, params):
    """A source option must be accepted by at least one requested source."""
    for option in SOURCE_OPTIONS:
        if params.get(option) is None:
            continue
        if not any(option in SOURCES[term].options for term in terms):
            valid = '; '.join('%s: %s' % (term, ', '.join(sorted(SOURCES[term].options)) or 'none')
                              for term in terms)
            raise EgressError('Option %s is not valid for source %s (source-specific options: %s)'
                              % (option, ', '.join(terms), valid))


def snapshot_document(snapshot):
    recorded = calendar.timegm(time.strptime(snapshot.recorded, '%Y-%m-%d'))
    digest = hashlib.sha256(json.dumps(snapshot.entries).encode('utf-8')).hexdigest()
    return Document(snapshot.origin_url, 'snapshot', recorded, digest=digest, parsed=list(snapshot.entries),
                    snapshot=snapshot)


def _verify_snapshot(source, fetcher, url, warn):
    """Compare a bundled list with the page that publishes it; warn on any difference."""
    page = url or source.default_url
    try:
        doc = fetcher.fetch(page, source.parse)
        published = doc.parsed if doc.parsed is not None else source.parse(doc.body, doc.url)
    except (FetchError, EgressError) as error:
        warn('Could not verify the bundled %s list against %s: %s' % (source.name, redact_url(page), error))
        return
    bundled = set(_addresses.canonicalize(source.snapshot.entries))
    found = set(_addresses.canonicalize(published, source=redact_url(page), strict=False))
    if bundled != found:
        warn('The bundled %s list (recorded %s) differs from %s: page has %s, bundled has %s; '
             'the bundled list is used, please report this'
             % (source.name, source.snapshot.recorded, redact_url(page), ', '.join(sorted(found - bundled)) or 'nothing more',
                ', '.join(sorted(bundled - found)) or 'nothing more'))


def _provenance(term, doc, metadata, count):
    info = {'source': term}
    info.update(doc.provenance())
    if doc.origin == 'snapshot':
        info['recorded'] = doc.snapshot.recorded
        info['note'] = doc.snapshot.note
        info.pop('age_seconds', None)
    for key, value in sorted((metadata or {}).items()):
        if value is not None:
            info[key] = value
    info['count'] = count
    return info


def get_egress_ranges(terms, params, fetch_options=None, url=None, ip_version='all', aggregate=False,
                      details=False, strict=True, warn=None, fetcher=None, policy=None):
    """Return {'addresses': [...], 'details': [...] or None, 'provenance': [...]}.

    `params` holds the source-specific options (None when not set). Every entry of every document
    goes through `policy` (default: the entry policy for remote lists) before anything is returned.
    """
    warn = warn or (lambda msg: None)
    terms = list(terms or [])
    params = dict(params or {})
    _check_terms(terms)
    _check_source_options(terms, params)
    if ip_version not in _addresses.IP_VERSIONS:
        raise EgressError('Invalid ip_version %r: use one of %s' % (ip_version, ', '.join(_addresses.IP_VERSIONS)))
    if url and len(terms) > 1:
        raise EgressError('The url option points one source at a mirror; it cannot be used with several sources (%s)'
                          % ', '.join(terms))
    if details and aggregate:
        raise EgressError('details and aggregate cannot be combined: an aggregated prefix has no single origin')
    _addresses.require_netaddr()
    policy = policy or _entry_policy.EntryPolicy(remote=True)
    fetch_options = fetch_options or FetchOptions()
    fetcher = fetcher or Fetcher(fetch_options, warn=warn)

    fetched = []  # (term, source, source params, document)
    for term in terms:
        source = get_source(term)
        source_params = dict((name, params.get(name)) for name in source.options)
        if source.bundled_only:
            if source_params.get('verify'):
                _verify_snapshot(source, fetcher, url, warn)
            fetched.append((term, source, source_params, snapshot_document(source.snapshot)))
            continue
        for request in source.requests(source_params, url):
            try:
                doc = fetcher.fetch(request.url, source.parse, request.headers)
            except FetchError as error:
                snapshot = source.snapshot_for(request) if fetch_options.offline else None
                if snapshot is None:
                    raise
                warn('%s; using the bundled snapshot recorded %s' % (error, snapshot.recorded))
                doc = snapshot_document(snapshot)
            fetched.append((term, source, source_params, doc))

    key = hashlib.sha256(json.dumps(
        [RESULT_FORMAT, ip_version, aggregate, details, strict,
         [policy.min_prefixlen, policy.allow_private, policy.allow_anywhere, _entry_policy.tables()],
         [[term, sorted(sp.items()), doc.url, doc.digest] for term, source, sp, doc in fetched]],
        sort_keys=True, default=str).encode('utf-8')).hexdigest()
    memo = fetcher.cache.load_result(key) if all(doc.digest for _t, _s, _p, doc in fetched) else None
    if memo is None:
        memo = _compute(fetched, ip_version, aggregate, details, strict, warn, policy)
        try:
            fetcher.cache.store_result(key, memo)
        except (IOError, OSError) as error:
            warn('Could not write the cache in %s: %s' % (fetcher.cache.directory, error))
    provenance = [_provenance(term, doc, metadata, count)
                  for (term, _source, _sp, doc), metadata, count in zip(fetched, memo['metadata'], memo['counts'])]
    detail_list = None
    if details:
        detail_list = []
        for item in memo['details']:
            item = dict(item)
            item['provenance'] = [provenance[i] for i in item.pop('documents')]
            detail_list.append(item)
    return {'addresses': memo['addresses'], 'details': detail_list, 'provenance': provenance}


def _compute(fetched, ip_version, aggregate, details, strict, warn, policy):
    networks = {}
    detail_map = {}
    metadata, counts = [], []
    for index, (term, source, source_params, doc) in enumerate(fetched):
        parsed = doc.parsed if doc.parsed is not None else source.parse(doc.body, doc.url)
        records = source.records(parsed, source_params, doc.url)
        label = 'source %s (%s)' % (term, doc.url)
        metadata.append(source.metadata(parsed))
        count = 0
        parsed_records = [(entry, attrs, _addresses.parse_entry(entry, source=label, strict=strict, warn=warn))
                          for entry, attrs in records]
        # The whole document is checked, whatever ip_version keeps: a feed that lists ::/0 is not to be trusted.
        policy.check_intervals(((entry, (n.version, n.first, n.last)) for entry, _a, entry_networks in parsed_records
                                for n in entry_networks), label)
        for entry, attrs, entry_networks in parsed_records:
            for network in entry_networks:
                if ip_version != 'all' and str(network.version) != ip_version:
                    continue
                count += 1
                key = (network.version, network.first, network.prefixlen)
                networks[key] = network
                if details:
                    _add_detail(detail_map, key, network, term, attrs, index)
        counts.append(count)
    if not networks:
        raise EgressError('No %saddresses from %s; refusing to return an empty allowlist'
                          % ('' if ip_version == 'all' else 'IPv%s ' % ip_version,
                             ', '.join('%s (%s)' % (t, d.url) for t, _s, _p, d in fetched)))
    result = list(networks.values())
    if aggregate:
        result = _addresses.netaddr.cidr_merge(result)
    result.sort(key=_addresses.sort_key)
    detail_list = None
    if details:
        detail_list = [detail_map[(n.version, n.first, n.prefixlen)] for n in result]
    return {'addresses': [_addresses.to_cidr(n) for n in result], 'details': detail_list,
            'metadata': metadata, 'counts': counts}


def _add_detail(detail_map, key, network, term, attrs, index):
    item = detail_map.get(key)
    if item is None:
        item = detail_map[key] = {'address': _addresses.to_cidr(network), 'version': network.version,
                                  'sources': [], 'documents': [], 'attributes': {}}
    if term not in item['sources']:
        item['sources'].append(term)
    if index not in item['documents']:
        item['documents'].append(index)
    for name, value in sorted((attrs or {}).items()):
        values = item['attributes'].setdefault(name, [])
        for v in (value if isinstance(value, list) else [value]):
            if v is not None and v not in values:
                values.append(v)


def argument_spec():
    """The egress_ranges_info module's options (documented in the fetch and egress_ranges doc fragments)."""
    return dict(
        sources=dict(type='list', elements='str', required=True),
        url=dict(type='str'),
        ip_version=dict(type='str', choices=['4', '6', 'all'], default='all'),
        aggregate=dict(type='bool', default=False),
        details=dict(type='bool', default=False),
        strict=dict(type='bool', default=True),
        provider=dict(type='list', elements='str'),
        service=dict(type='list', elements='str'),
        direction=dict(type='list', elements='str'),
        region=dict(type='list', elements='str'),
        network_border_group=dict(type='list', elements='str'),
        scope=dict(type='list', elements='str'),
        key=dict(type='list', elements='str', no_log=False),
        product=dict(type='list', elements='str'),
        name=dict(type='list', elements='str'),
        cell=dict(type='list', elements='str'),
        verify=dict(type='bool'),
        format=dict(type='str', choices=['text', 'json', 'csv']),
        selector=dict(type='str'),
        timeout=dict(type='float', default=_http.DEFAULT_TIMEOUT),
        retries=dict(type='int', default=_http.DEFAULT_RETRIES),
        max_retry_wait=dict(type='float', default=_http.DEFAULT_MAX_RETRY_WAIT),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        max_size=dict(type='int', default=_http.DEFAULT_MAX_SIZE),
        cache_dir=dict(type='path'),
        cache_ttl=dict(type='int', default=_http.DEFAULT_CACHE_TTL),
        max_stale=dict(type='int', default=_http.DEFAULT_MAX_STALE),
        offline=dict(type='bool', default=False),
        headers=dict(type='dict', no_log=True),
        **_entry_policy.argument_spec(remote=True)
    )


def run_from_options(terms, get_option, warn):
    """Shared by the lookup and the module: `get_option(name)` reads one option."""
    fetch_options = FetchOptions(**dict((name, get_option(name)) for name in FETCH_OPTIONS))
    params = dict((name, get_option(name)) for name in SOURCE_OPTIONS)
    policy = _entry_policy.EntryPolicy(remote=True, **dict((name, get_option(name)) for name in POLICY_OPTIONS))
    return get_egress_ranges(terms, params, fetch_options=fetch_options, url=get_option('url'),
                             ip_version=get_option('ip_version'), aggregate=get_option('aggregate'),
                             details=get_option('details'), strict=get_option('strict'), warn=warn, policy=policy)
