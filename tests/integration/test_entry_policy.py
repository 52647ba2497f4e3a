# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A feed or a DNS answer can never widen an allowlist: the lookups and egress_ranges_info through
ansible-playbook, against a real HTTPS server (trustme) and a real DNS server on loopback."""

from __future__ import annotations

import json

from tests.integration.test_egress_ranges import lookup_task, q
from tests.integration.test_outsystems_frontends import task as frontends_task

HOSTILE_FEEDS = {
    '/any4.txt': ('0.0.0.0/0\n192.0.2.1\n', 'Refusing 0.0.0.0/0 from source custom', 'whole IPv4 address space'),
    '/any6.txt': ('2001:db8::1\n::/0\n', 'Refusing ::/0 from source custom', 'whole IPv6 address space'),
    '/halves.txt': ('0.0.0.0/1\n128.0.0.0/1\n', 'Refusing 0.0.0.0/1 from source custom', '"this network"'),
    '/private.txt': ('192.0.2.1\n10.0.0.0/8\n', 'Refusing 10.0.0.0/8 from source custom',
                     'private range 10.0.0.0/8'),
    '/cgnat.txt': ('100.64.0.0/10\n', 'Refusing 100.64.0.0/10 from source custom', 'carrier-grade NAT'),
    '/ula.txt': ('fd00:1234::/32\n', 'Refusing fd00:1234::/32 from source custom', 'unique local'),
    '/sinkhole.txt': ('0.0.0.0\n', 'Refusing 0.0.0.0 from source custom', 'unspecified address 0.0.0.0'),
    '/loopback.txt': ('127.0.0.1\n', 'Refusing 127.0.0.1 from source custom', 'loopback'),
    '/mapped.txt': ('::ffff:198.51.100.7\n', 'Refusing ::ffff:198.51.100.7 from source custom', 'IPv4-mapped'),
    '/wide.txt': ('4.0.0.0/6\n', 'Refusing 4.0.0.0/6 from source custom', 'wider than /8 (min_prefixlen_v4)'),
    '/wide6.txt': ('2400::/12\n', 'Refusing 2400::/12 from source custom', 'wider than /16 (min_prefixlen_v6)'),
}


def test_a_hostile_feed_is_refused_by_the_lookup_and_the_module(ansible, https_server, ca_file):
    for path, (body, _start, _why) in HOSTILE_FEEDS.items():
        https_server.serve(path, body, content_type='text/plain')
    # A public provider's format with a private range in it (the Atlas App Services JSON list).
    https_server.serve('/AtlasAppServicesPublicIPsAWS.json', json.dumps(['198.51.100.2', '172.16.5.4']))
    url = https_server.url
    tasks = [lookup_task(path, q('custom', url=url(path), ca_path=ca_file, cache_ttl=0)) for path in HOSTILE_FEEDS]
    tasks += [
        lookup_task('atlas private', q('atlas', provider='aws', url=url('/AtlasAppServicesPublicIPsAWS.json'),
                                       ca_path=ca_file)),
        lookup_task('allow_private', q('custom', url=url('/private.txt'), ca_path=ca_file, allow_private=True)),
        lookup_task('ip_version does not hide it', q('custom', url=url('/any6.txt'), ca_path=ca_file, ip_version='4')),
        lookup_task('wider allowed', q('custom', url=url('/wide.txt'), ca_path=ca_file, min_prefixlen_v4=6)),
        lookup_task('allow_private is not allow_anything',
                    q('custom', url=url('/loopback.txt'), ca_path=ca_file, allow_private=True, min_prefixlen_v4=0)),
        {'name': 'module', 'allowlist.egress.egress_ranges_info': {
            'sources': ['custom'], 'url': url('/any4.txt'), 'ca_path': ca_file}, 'ignore_errors': True},
        {'name': 'module allow_private', 'allowlist.egress.egress_ranges_info': {
            'sources': ['custom'], 'url': url('/private.txt'), 'ca_path': ca_file, 'allow_private': True},
         'ignore_errors': True},
    ]
    results, proc = ansible.playbook(tasks)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for path, (_body, start, why) in HOSTILE_FEEDS.items():
        result = results[path]
        assert result['_status'] == 'failed', (path, result)
        assert start in result['msg'] and url(path) in result['msg'] and why in result['msg'], (path, result['msg'])
    assert 'Refusing 172.16.5.4 from source atlas' in results['atlas private']['msg']
    assert results['allow_private']['msg'] == ['10.0.0.0/8', '192.0.2.1/32']
    assert 'Refusing ::/0' in results['ip_version does not hide it']['msg']
    assert results['wider allowed']['msg'] == ['4.0.0.0/6']
    assert 'loopback' in results['allow_private is not allow_anything']['msg']
    assert results['module']['_status'] == 'failed' and 'Refusing 0.0.0.0/0' in results['module']['msg']
    assert results['module allow_private']['addresses'] == ['10.0.0.0/8', '192.0.2.1/32']


def test_a_frontend_that_resolves_to_a_private_or_sinkhole_address_fails(ansible, dns_server):
    server = dns_server(records={
        'fe-vpn.outsystemsenterprise.com': {'A': ['10.20.1.5']},
        'fe-ok.outsystemsenterprise.com': {'A': ['192.0.2.21']},
        'fe-sink.outsystemsenterprise.com': {'A': ['0.0.0.0'], 'AAAA': ['::']},
        'fe-sink6.outsystemsenterprise.com': {'A': ['192.0.2.22'], 'AAAA': ['::']},
        'fe-loop.outsystemsenterprise.com': {'A': ['127.0.0.53']},
    })
    port = server.port
    results, proc = ansible.playbook([
        frontends_task('private', ['fe-ok', 'fe-vpn'], port=port),
        frontends_task('private allowed', ['fe-ok', 'fe-vpn'], port=port, allow_private=True),
        frontends_task('sinkhole', ['fe-sink'], port=port),
        frontends_task('sinkhole aaaa', ['fe-sink6'], port=port),
        frontends_task('sinkhole even with allow_private', ['fe-sink'], port=port, allow_private=True),
        frontends_task('loopback', ['fe-loop'], port=port),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    private = results['private']['msg']
    assert results['private']['_status'] == 'failed'
    assert 'fe-vpn (fe-vpn.outsystemsenterprise.com): it resolved to 10.20.1.5, a private address' in private
    assert "conditional forwarder" in private and 'public resolvers (nameservers)' in private
    assert 'allowlist the VPN\'s private range instead' in private and 'allow_private=true' in private
    assert results['private allowed']['msg'] == ['10.20.1.5/32', '192.0.2.21/32']
    for name in ('sinkhole', 'sinkhole aaaa', 'sinkhole even with allow_private'):
        assert results[name]['_status'] == 'failed', name
        assert 'it resolved to' in results[name]['msg'] and 'unspecified address' in results[name]['msg'], name
    assert 'it resolved to 127.0.0.53, which is refused' in results['loopback']['msg']
