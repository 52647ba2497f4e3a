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
