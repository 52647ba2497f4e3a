# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # How published lists are fetched and cached; shared by the egress_ranges lookup and module.
    DOCUMENTATION = r"""
options:
  timeout:
    description:
      - Seconds that one attempt may take in all (connecting, TLS, headers, body and redirects), however
        slowly the server sends. An attempt that takes longer fails (and is retried, see O(retries)); nothing
        from it is cached.
    type: float
    default: 10
  headers:
    description:
      - Extra HTTP request headers, for example C(Authorization) for a mirror that needs a token.
        A header the source sets itself (such as C(Accept)) wins over the same header here.
      - Sent only to the host of the URL; they are not sent on to another host that a redirect points to.
      - Values are secret (C(no_log)) and never shown; they are part of the cache key, so a copy fetched
        with one token never answers a request made with another.
    type: dict
  retries:
    description:
      - How many times to retry after a connection error, an HTTP 5xx, or an HTTP 429.
      - Retries back off exponentially (1 s, 2 s, 4 s, ...). HTTP 429 and 503 wait as long as the server's
        C(Retry-After) header asks, within O(max_retry_wait).
    type: int
    default: 3
  max_retry_wait:
    description:
      - Total seconds that retries may spend waiting. A C(Retry-After) longer than what is left fails at once
        (or falls back to a cached copy, see O(max_stale)), so a rate-limited publisher never stalls a pipeline.
    type: float
    default: 60
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - A copy cached with V(false) is never used by a request that verifies (nor one with another O(ca_path)).
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) to verify the server's certificate with, for a mirror signed by a private CA.
      - Without it, the system's bundle is used (or the one in E(REQUESTS_CA_BUNDLE)).
    type: path
  max_size:
    description: Largest document accepted, in bytes. A larger one is an error.
    type: int
    default: 33554432
  cache_dir:
    description:
      - Where fetched documents are cached, with their C(ETag) and C(Last-Modified).
      - Defaults to C(allowlist.egress) under E(XDG_CACHE_HOME), or under C(~/.cache).
      - A directory that another user could write to (owned by someone else, or group- or world-writable such as
        C(/tmp)) is neither read nor written, with a warning; what is planted there would be served as the
        publisher's list.
    type: path
  cache_ttl:
    description:
      - Seconds a cached document is used without any request at all.
      - After that, a conditional GET (C(If-None-Match), C(If-Modified-Since)) revalidates it; a C(304) reuses the cache.
      - V(0) always revalidates.
    type: int
    default: 600
  max_stale:
    description:
      - When a fetch fails (network error, HTTP error, or a response that is not what the source publishes),
        use a cached copy up to this many seconds old, with a warning that says how old it is.
      - V(0), the default, never uses a stale copy; the task fails instead.
    type: int
    default: 0
  offline:
    description:
      - Make no network request. Use the cached copy, whatever its age (with a warning when older than
        O(cache_ttl)), else the bundled snapshot where the source has one, else fail.
    type: bool
    default: false
"""
