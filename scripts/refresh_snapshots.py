#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Record the Atlas App Services outbound lists into plugins/module_utils/sources/_atlas_snapshots.py.

Run it on a machine that reaches mongodb.com (`make snapshots`), or give it the published files with
--from-dir DIR (AtlasAppServicesPublicIPs.json, ...AWS.json, ...Azure.json, ...GCP.json). Each file
goes through the same strict parser as the lookup, so a broken download never becomes a snapshot.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'build', 'collections')]

from ansible_collections.allowlist.egress.plugins.module_utils._addresses import canonicalize  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils._http import Fetcher, FetchOptions  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils.sources._atlas import (  # noqa: E402
    APP_SERVICES_BASE, APP_SERVICES_PROVIDERS, AtlasAppServices,
)

TARGET = os.path.join(ROOT, 'plugins', 'module_utils', 'sources', '_atlas_snapshots.py')


def render(recorded, origin_url, note, snapshots):
    with open(TARGET) as f:  # keep the module's header and docstring
        head = f.read().split('RECORDED = ', 1)[0]
    lists = ''.join('    %r: [\n%s    ],\n' % (provider, ''.join('        %r,\n' % a for a in addresses))
                    for provider, addresses in sorted(snapshots.items()))
    return ('%sRECORDED = %r  # YYYY-MM-DD\nORIGIN_URL = %r\nNOTE = %r\nSNAPSHOTS = {\n%s}\n'
            % (head, recorded, origin_url, note, lists))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--from-dir', help='read the published files from here instead of downloading them')
    parser.add_argument('--base-url', default=APP_SERVICES_BASE, help='download from this base (a mirror)')
    parser.add_argument('--ca-path', help='CA bundle for the mirror')
    parser.add_argument('--date', default=datetime.date.today().isoformat(), help='recorded date (YYYY-MM-DD)')
    parser.add_argument('--output', default=TARGET, help='where to write the module (default: the collection\'s own)')
    parser.add_argument('--origin-url', help='the page the lists were copied from, for provenance (default: the '
                        'published files, or nothing with --from-dir)')
    args = parser.parse_args()

    source = AtlasAppServices()
    fetcher = Fetcher(FetchOptions(cache_ttl=0, ca_path=args.ca_path, cache_dir=os.path.join(ROOT, 'build', 'snapshot-cache')))
    snapshots = {}
    for provider, suffix in sorted(APP_SERVICES_PROVIDERS.items()):
        name = 'AtlasAppServicesPublicIPs%s.json' % suffix
        if args.from_dir:
            path = os.path.join(args.from_dir, name)
            with open(path, 'rb') as f:
                entries = source.parse(f.read(), path)
        else:
            url = '%s%s.json' % (args.base_url, suffix)
            doc = fetcher.fetch(url, source.parse)
            entries = doc.parsed if doc.parsed is not None else source.parse(doc.body, url)
        snapshots[provider] = canonicalize(entries, source='%s (%s)' % (provider, name))
        print('%-5s %4d addresses' % (provider, len(snapshots[provider])))
    if args.origin_url:
        origin, note = args.origin_url, 'Copied from %s, recorded %s' % (args.origin_url, args.date)
    elif args.from_dir:
        origin, note = None, 'Recorded from local files (--from-dir), recorded %s' % args.date
    else:
        origin, note = None, 'Downloaded from %s*.json, recorded %s' % (args.base_url, args.date)
    text = render(args.date, origin, note, snapshots)  # before opening: the output may be the template itself
    with open(args.output, 'w') as f:
        f.write(text)
    print('wrote %s (recorded %s)' % (args.output, args.date))


if __name__ == '__main__':
    main()
