#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""200 OutSystems front-ends against a local DNS server that delays every answer by 50 ms.

Prints the lookup's wall time beside a sequential baseline (one query after the other, the
way a loop of `dig` lookups works), measured in the same run against the same server.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'build', 'collections')]

import dns.message  # noqa: E402
import dns.query  # noqa: E402

from ansible_collections.allowlist.egress.plugins.module_utils.sources._frontends import FrontendResolver  # noqa: E402
from tests.support.dns_server import DnsServer  # noqa: E402

COUNT = 200
DELAY = 0.05
RUNS = 3


def main():
    names = ['bench-fe%03d' % i for i in range(COUNT)]
    records = dict(('%s.outsystemsenterprise.com' % n, {'A': ['198.51.100.%d' % (i % 250 + 1)],
                                                        'AAAA': ['2001:db8::%x' % (i + 1)]})
                   for i, n in enumerate(names))
    with DnsServer(records=records, delay=DELAY) as server:
        start = time.perf_counter()
        for name in names:
            query = dns.message.make_query('%s.outsystemsenterprise.com' % name, 'A')
            dns.query.udp(query, '127.0.0.1', port=server.port, timeout=2)
        sequential = time.perf_counter() - start

        print('%d front-ends, every answer delayed %d ms by the DNS server on loopback' % (COUNT, DELAY * 1000))
        print('baseline, sequential A queries:     %6.3f s' % sequential)
        for ip_version, concurrency in (('4', 64), ('4', 200), ('all', 64)):
            resolver = FrontendResolver(nameservers=['127.0.0.1'], port=server.port, timeout=2, retries=0,
                                        ip_version=ip_version, concurrency=concurrency)
            times = []
            for _run in range(RUNS):
                start = time.perf_counter()
                results = resolver.resolve(names)
                times.append(time.perf_counter() - start)
            assert len(results) == COUNT
            queries = COUNT * (1 if ip_version == '4' else 2)
            best, median = min(times), statistics.median(times)
            print('lookup ip_version=%-3s concurrency=%3d (%d queries): median %6.3f s, best %6.3f s, '
                  'speed-up %5.1fx (ideal %5.1fx)'
                  % (ip_version, concurrency, queries, median, best, sequential * queries / COUNT / median,
                     queries / -(-queries // concurrency)))


if __name__ == '__main__':
    main()
