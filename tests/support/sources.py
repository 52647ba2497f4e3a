# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a source's requests, parser and filters on a document in its publisher's format."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import get_source

URL = 'https://mirror.test/doc'


def records(name, body, params=None, url=URL):
    source = get_source(name)
    params = params or {}
    source.requests(params, url if name == 'custom' else None)
    parsed = source.parse(body if isinstance(body, bytes) else body.encode(), url)
    return [entry for entry, _attrs in source.records(parsed, params, url)], source, parsed


def engine(name, https_server, ca_file, tmp_path, document, params=None, path='/doc.json', **kwargs):
    """The whole engine (fetch over real HTTPS, parse, filters, entry policy, provenance) on one served document."""
    from ansible_collections.allowlist.egress.plugins.module_utils._egress_ranges import get_egress_ranges
    from ansible_collections.allowlist.egress.plugins.module_utils._http import FetchOptions

    https_server.serve(path, document, content_type='text/plain' if path.endswith('.txt') else 'application/json')
    options = FetchOptions(cache_dir=str(tmp_path / 'cache'), ca_path=ca_file, retries=0)
    return get_egress_ranges([name], params or {}, fetch_options=options, url=https_server.url(path), **kwargs)
