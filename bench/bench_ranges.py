#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A 20,000-prefix list in AWS's ip-ranges.json format: parse + canonicalise + aggregate.

Cold (document fetched from a local HTTPS server, nothing cached) and from a fresh cache, beside a
baseline measured in the same run: json.loads + ipaddress.ip_network + ipaddress.collapse_addresses
on the same document, the plain-Python way to do the same work.
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'build', 'collections')]

from ansible_collections.allowlist.egress.plugins.module_utils._egress_ranges import get_egress_ranges  # noqa: E402
from ansible_collections.allowlist.egress.plugins.module_utils._http import FetchOptions  # noqa: E402
from tests.support.https_server import HttpsServer  # noqa: E402

PREFIXES = 20000
RUNS = 5


def document():
    rng = random.Random(20000)
    regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1']
    prefixes, v6 = [], []
    for i in range(PREFIXES):
        if i % 5 == 4:
            net = ipaddress.ip_network((rng.getrandbits(48) << 80, 48))
            v6.append({'ipv6_prefix': str(net), 'region': rng.choice(regions), 'service': 'AMAZON',
                       'network_border_group': 'x'})
        else:
            net = ipaddress.ip_network((rng.getrandbits(24) << 8, rng.choice([22, 23, 24])), strict=False)
            prefixes.append({'ip_prefix': str(net), 'region': rng.choice(regions), 'service': 'AMAZON',
                             'network_border_group': 'x'})
    return json.dumps({'syncToken': '1', 'createDate': '2026-11-22-00-00-00', 'prefixes': prefixes,
                       'ipv6_prefixes': v6}).encode()


def baseline(body):
    data = json.loads(body)
    v4 = [ipaddress.ip_network(p['ip_prefix']) for p in data['prefixes']]
    v6 = [ipaddress.ip_network(p['ipv6_prefix']) for p in data['ipv6_prefixes']]
    return [str(n) for n in ipaddress.collapse_addresses(v4)] + [str(n) for n in ipaddress.collapse_addresses(v6)]


def main():
    body = document()
    with HttpsServer() as server:
        server.serve('/ip-ranges.json', body)
        ca = server.write_ca(os.path.join(tempfile.mkdtemp(), 'ca.pem'))
        url = server.url('/ip-ranges.json')

        base_times = []
        for _run in range(RUNS):
            start = time.perf_counter()
            expected = baseline(body)
            base_times.append(time.perf_counter() - start)

        cold, warm = [], []
        for _run in range(RUNS):
            cache = tempfile.mkdtemp()
            options = FetchOptions(cache_dir=cache, ca_path=ca, cache_ttl=3600)
            start = time.perf_counter()
            result = get_egress_ranges(['aws'], {}, fetch_options=options, url=url, aggregate=True)
            cold.append(time.perf_counter() - start)
            assert result['addresses'] == expected, 'aggregation differs from ipaddress.collapse_addresses'
            start = time.perf_counter()
            again = get_egress_ranges(['aws'], {}, fetch_options=options, url=url, aggregate=True)
            warm.append(time.perf_counter() - start)
            assert again['addresses'] == expected and again['provenance'][0]['origin'] == 'cache'
            shutil.rmtree(cache)
        requests = len(server.requests_for('/ip-ranges.json'))

    base = statistics.median(base_times)
    print('%d prefixes (%d kB of JSON), aggregated to %d; median of %d runs' % (
        PREFIXES, len(body) // 1024, len(expected), RUNS))
    print('baseline json + ipaddress + collapse_addresses (no fetch): %7.1f ms' % (base * 1000))
    print('egress_ranges cold (HTTPS fetch on loopback + parse + canonicalise + aggregate): %7.1f ms  (%.2fx baseline)'
          % (statistics.median(cold) * 1000, statistics.median(cold) / base))
    print('egress_ranges from a fresh cache (no request):            %7.1f ms  (%.2fx baseline)'
          % (statistics.median(warm) * 1000, statistics.median(warm) / base))
    print('HTTP requests made: %d for %d cold + %d cached runs' % (requests, RUNS, RUNS))


if __name__ == '__main__':
    main()
