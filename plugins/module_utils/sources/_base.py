# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The small interface every egress source implements, and parsing helpers they share.

A source says which documents to fetch (`requests`), checks that a body is what
its publisher publishes (`parse`), and turns the parsed document into address
entries with attributes (`records`). Fetching, caching and canonicalising are
done once, by the engine in _egress_ranges.py.
"""

from __future__ import annotations

import csv
import difflib
import io
import json

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError


class DocumentRequest(object):
    def __init__(self, url, headers=None, label=None):
        self.url = url
        self.headers = headers or {}
        self.label = label


class Snapshot(object):
    """A copy of a publisher's list that ships with the collection."""

    def __init__(self, entries, origin_url, recorded, note=''):
        self.entries = entries
        self.origin_url = origin_url
        self.recorded = recorded  # YYYY-MM-DD
        self.note = note


class Source(object):
    name = None
    description = ''
    default_url = None
    # Source-specific options: name -> {'type': 'list' | 'bool' | 'str', 'choices': [...]}
    options = {}
    snapshot = None
    # True when the snapshot is the source of truth (no machine-readable feed exists).
    bundled_only = False

    def requests(self, params, url):
        return [DocumentRequest(url or self.default_url)]

    def snapshot_for(self, request):
        """The bundled copy of what `request` fetches, or None."""
        return self.snapshot

    def parse(self, body, url):
        raise NotImplementedError

    def records(self, parsed, params, url):
        """Return [(entry, attributes)], raising FetchError when the document holds none."""
        raise NotImplementedError

    def metadata(self, parsed):
        """Publisher's version markers (syncToken, createDate, ...) for provenance."""
        return {}


def check_values(source, option, values, allowed):
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise EgressError('Invalid %s %s for source %s: valid values are %s'
                          % (option, ', '.join(repr(v) for v in unknown), source, ', '.join(sorted(allowed))))


# Above this many choices an error names the closest ones instead of all (Azure publishes 3,000+ tag names).
MAX_LISTED_CHOICES = 40


def check_published(source, option, values, published, url):
    """Filter values must be ones the document itself lists, so a typo fails instead of matching nothing."""
    for value in values:
        if value in published:
            continue
        choices = sorted(published)
        if len(choices) <= MAX_LISTED_CHOICES:
            hint = 'it lists %s' % ', '.join(choices)
        else:
            folded = dict((c.lower(), c) for c in choices)
            close = [folded[c] for c in difflib.get_close_matches(value.lower(), list(folded), n=5, cutoff=0.6)]
            hint = 'it lists %d values%s' % (len(choices), '; the closest are %s' % ', '.join(close) if close else '')
        raise EgressError('Invalid %s %r for source %s: %s has no such %s (%s)' % (option, value, source, url, option, hint))


def describe_body(body):
    """A short hint of what a bad body is, for error messages."""
    head = body[:200].lstrip().lower()
    if head.startswith(b'<!doctype html') or head.startswith(b'<html') or b'<html' in head:
        return 'an HTML page'
    if not body.strip():
        return 'an empty body'
    return 'starts with %r' % body[:60].decode('utf-8', 'replace')


def load_json(body, url):
    try:
        return json.loads(body.decode('utf-8'))
    except UnicodeDecodeError:
        raise FetchError('%s did not return UTF-8 JSON (%s)' % (url, describe_body(body)))
    except ValueError as error:
        raise FetchError('%s did not return valid JSON (%s; %s)' % (url, describe_body(body), error))
    except RecursionError:
        # json gives up on deep nesting with RecursionError, not ValueError; no publisher nests that deep.
        raise FetchError('%s did not return valid JSON (%s; nested too deeply)' % (url, describe_body(body)))


def expect(condition, url, what):
    if not condition:
        raise FetchError('%s is not in the expected format: %s' % (url, what))


def text_lines(body, url):
    """Non-empty lines of a text document, without `#` comments."""
    try:
        text = body.decode('utf-8-sig')  # spreadsheet exports start with a byte order mark
    except UnicodeDecodeError:
        raise FetchError('%s did not return UTF-8 text (%s)' % (url, describe_body(body)))
    if describe_body(body) == 'an HTML page':
        raise FetchError('%s returned an HTML page, not a list of addresses' % url)
    lines = []
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def csv_rows(body, url):
    lines = text_lines(body, url)
    try:
        return [row for row in csv.reader(io.StringIO('\n'.join(lines))) if row]
    except csv.Error as error:  # e.g. a field over the csv module's 131,072 characters
        raise FetchError('%s did not return valid CSV (%s; %s)' % (url, describe_body(body), error))


def nonempty(entries, url, what='addresses'):
    if not entries:
        raise FetchError('%s holds no %s; refusing to return an empty allowlist' % (url, what))
    return entries


def string_list(value, url, where):
    expect(isinstance(value, list), url, '%s should be a list, got %s' % (where, type(value).__name__))
    for item in value:
        expect(isinstance(item, str), url, '%s should hold strings, got %r' % (where, item))
    return value


def matches(wanted, value):
    """Filter helper: no filter matches everything; lists match on any shared value."""
    if not wanted:
        return True
    if isinstance(value, list):
        return any(v in wanted for v in value)
    return value in wanted
