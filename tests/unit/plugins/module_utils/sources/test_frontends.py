# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Front-end resolution against a real DNS server on loopback (tests/support/dns_server.py)."""

from __future__ import annotations

import time

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, ResolveError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._frontends import (
    FrontendResolver, frontend_addresses, frontend_details, hostname_for,
)

ZONE = {
    'myenv-fe01.outsystemsenterprise.com': {'A': ['192.0.2.11'], 'AAAA': ['2001:db8::11']},
    'myenv-fe02.outsystemsenterprise.com': {'A': ['192.0.2.12']},
    'myenv-fe03.outsystemsenterprise.com': {'A': ['192.0.2.12', '198.51.100.13']},
    'lb-123.us-east-1.elb.amazonaws.com': {'A': ['203.0.113.50', '203.0.113.51']},
    'v6only.example.test': {'AAAA': ['2001:db8::99']},
}
CNAMES = {'myenv.outsystemsenterprise.com': 'lb-123.us-east-1.elb.amazonaws.com'}


def resolver(server, **kwargs):
    kwargs.setdefault('timeout', 1.0)
    kwargs.setdefault('retries', 1)
    return FrontendResolver(nameservers=['127.0.0.1'], port=server.port, **kwargs)


def test_a_and_aaaa_of_several_frontends(dns_server):
    server = dns_server(records=ZONE)
    results = resolver(server).resolve(['myenv-fe01', 'myenv-fe02', 'myenv-fe03.outsystemsenterprise.com'])
    assert frontend_addresses(results) == ['192.0.2.11/32', '192.0.2.12/32', '198.51.100.13/32', '2001:db8::11/128']
    details = frontend_details(results)
    shared = [d for d in details if d['address'] == '192.0.2.12/32'][0]
    assert shared['frontends'] == ['myenv-fe02', 'myenv-fe03.outsystemsenterprise.com'] and shared['version'] == 4
    asked = set((name, rdtype) for name, rdtype, _proto in server.queries)
    assert ('myenv-fe01.outsystemsenterprise.com', 'AAAA') in asked and ('myenv-fe02.outsystemsenterprise.com', 'A') in asked


def test_ip_version_asks_only_that_type(dns_server):
    server = dns_server(records=ZONE)
    assert frontend_addresses(resolver(server, ip_version='6').resolve(['myenv-fe01'])) == ['2001:db8::11/128']
    assert set(t for _n, t, _p in server.queries) == {'AAAA'}
    assert frontend_addresses(resolver(server, ip_version='all').resolve(['v6only.example.test'])) == ['2001:db8::99/128']


def test_environment_address_behind_a_load_balancer_is_refused(dns_server):
    server = dns_server(records=ZONE, cnames=CNAMES)
    with pytest.raises(ResolveError) as error:
        resolver(server).resolve(['myenv-fe01', 'myenv'])
    message = str(error.value)
    assert 'myenv (myenv.outsystemsenterprise.com)' in message
    assert 'load balancer lb-123.us-east-1.elb.amazonaws.com' in message and 'Service Center' in message
    assert 'allow_load_balancer=true' in message and 'myenv-fe01 (' not in message
    allowed = resolver(server, allow_load_balancer=True).resolve(['myenv'])
    assert allowed[0]['addresses'] == ['203.0.113.50/32', '203.0.113.51/32']
    assert allowed[0]['cnames'] == ['lb-123.us-east-1.elb.amazonaws.com']


def test_all_or_nothing_names_every_failure(dns_server):
    server = dns_server(records=ZONE, servfail=['broken.outsystemsenterprise.com'])
    with pytest.raises(ResolveError) as error:
        resolver(server).resolve(['myenv-fe01', 'typo-fe09', 'broken'])
    message = str(error.value)
    assert message.startswith('2 of 3 front-end name(s) failed')
    assert 'typo-fe09 (typo-fe09.outsystemsenterprise.com): NXDOMAIN' in message
    assert 'broken (broken.outsystemsenterprise.com): SERVFAIL from 127.0.0.1 (2 attempts)' in message
    assert 'myenv-fe01 (' not in message


def test_servfail_is_retried(dns_server):
    server = dns_server(records=ZONE, servfail=['broken.outsystemsenterprise.com'])
    with pytest.raises(ResolveError):
        resolver(server, retries=2, ip_version='4').resolve(['broken'])
    assert [n for n, _t, _p in server.queries].count('broken.outsystemsenterprise.com') == 3


def test_a_name_with_no_records_fails(dns_server):
    server = dns_server(records=dict(ZONE, **{'empty.outsystemsenterprise.com': {'TXT': []}}))
    with pytest.raises(ResolveError, match=r'empty \(empty.outsystemsenterprise.com\): no A or AAAA records'):
        resolver(server).resolve(['empty'])


def test_a_silent_server_times_out(dns_server):
    server = dns_server(records=ZONE, silent=['slow.outsystemsenterprise.com'])
    started = time.monotonic()
    with pytest.raises(ResolveError, match=r'slow \(slow.outsystemsenterprise.com\): A query timed out after 0.3s \(2 attempts\)'):
        resolver(server, timeout=0.3, retries=1).resolve(['slow', 'myenv-fe01'])
    assert time.monotonic() - started < 3


def test_tcp_and_truncated_udp_fallback(dns_server):
    server = dns_server(records=ZONE, truncate=['myenv-fe02.outsystemsenterprise.com'])
    assert frontend_addresses(resolver(server, tcp=True).resolve(['myenv-fe01'])) == ['192.0.2.11/32', '2001:db8::11/128']
    assert all(p == 'tcp' for _n, _t, p in server.queries)
    server.queries[:] = []
    assert frontend_addresses(resolver(server, ip_version='4').resolve(['myenv-fe02'])) == ['192.0.2.12/32']
    assert [p for _n, _t, p in server.queries] == ['udp', 'tcp']


def test_queries_run_concurrently(dns_server):
    names = ['fe%03d' % i for i in range(40)]
    records = dict(('%s.outsystemsenterprise.com' % n, {'A': ['192.0.2.%d' % (i + 1)]}) for i, n in enumerate(names))
    server = dns_server(records=records, delay=0.2)
    started = time.monotonic()
    results = resolver(server, ip_version='4', concurrency=64, timeout=2).resolve(names)
    elapsed = time.monotonic() - started
    assert len(frontend_addresses(results)) == 40
    # 40 answers each delayed 0.2 s: sequential would take 8 s.
    assert elapsed < 2.0, elapsed


@pytest.mark.parametrize('name, message', [
    ('myenv-fe01; rm -rf /', "is not a valid DNS label"),
    ('$(reboot)', 'is not a valid DNS label'),
    ('fe01`id`', 'is not a valid DNS label'),
    ('-fe01', 'is not a valid DNS label'),
    ('fe01\n.example.com', 'is not a valid DNS label'),  # `$` matches before a final newline
    ('a' * 64, 'is not a valid DNS label'),
    ('.'.join(['a' * 60] * 5), 'more than 253'),
    ('', 'Invalid front-end name'),
    ('   ', 'Invalid front-end name'),
    (None, 'Invalid front-end name'),
])
def test_bad_names_are_refused_before_any_query(name, message):
    with pytest.raises(EgressError) as error:
        hostname_for(name)
    assert message in str(error.value)


def test_bad_options(dns_server):
    server = dns_server(records=ZONE)
    with pytest.raises(EgressError, match="Invalid nameserver 'dns.example.test'"):
        FrontendResolver(nameservers=['dns.example.test'])
    with pytest.raises(EgressError, match="Invalid nameserver '192.0.2.0/24'"):
        FrontendResolver(nameservers=['192.0.2.0/24'])
    with pytest.raises(EgressError, match='Invalid port 70000'):
        FrontendResolver(nameservers=['127.0.0.1'], port=70000)
    with pytest.raises(EgressError, match='No front-end names given'):
        resolver(server).resolve([])
    assert server.queries == []


def test_ipv6_nameserver_literal_is_accepted():
    assert FrontendResolver(nameservers=['2001:db8::53']).nameservers == ['2001:db8::53']
