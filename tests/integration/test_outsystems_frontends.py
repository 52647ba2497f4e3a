# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The outsystems_frontends lookup through ansible-playbook, against a real DNS server on loopback."""

from __future__ import annotations

import json

ZONE = {
    'myenv-fe01.outsystemsenterprise.com': {'A': ['192.0.2.11'], 'AAAA': ['2001:db8::11']},
    'myenv-fe02.outsystemsenterprise.com': {'A': ['192.0.2.12']},
    'lb-77.eu-west-1.elb.amazonaws.com': {'A': ['203.0.113.70']},
}
CNAMES = {'myenv.outsystemsenterprise.com': 'lb-77.eu-west-1.elb.amazonaws.com'}


def task(name, terms, **options):
    options.setdefault('nameservers', ['127.0.0.1'])
    options.setdefault('timeout', 0.5)
    options.setdefault('retries', 1)
    args = ''.join(', %s=%s' % (k, json.dumps(v)) for k, v in options.items())
    expr = "query('allowlist.egress.outsystems_frontends', %s%s)" % (json.dumps(terms), args)
    return {'name': name, 'ansible.builtin.debug': {'msg': '{{ %s }}' % expr}, 'ignore_errors': True}


def test_frontends_through_a_playbook(ansible, dns_server):
    server = dns_server(records=ZONE, cnames=CNAMES, servfail=['sick.outsystemsenterprise.com'],
                        silent=['slow.outsystemsenterprise.com'])
    port = server.port
    tasks = [
        task('a and aaaa', ['myenv-fe01', 'myenv-fe02'], port=port),
        task('ipv4 only', ['myenv-fe01'], port=port, ip_version='4'),
        task('ipv6 only', ['myenv-fe01.outsystemsenterprise.com'], port=port, ip_version='6'),
        task('details', ['myenv-fe01', 'myenv-fe02'], port=port, details=True),
        task('tcp', ['myenv-fe02'], port=port, tcp=True),
        task('load balancer', ['myenv-fe01', 'myenv'], port=port),
        task('load balancer allowed', ['myenv'], port=port, allow_load_balancer=True),
        task('nxdomain', ['myenv-fe01', 'myenv-fe09'], port=port),
        task('servfail', ['sick'], port=port),
        task('slow', ['slow'], port=port),
        task('shell metacharacters', ['fe01;reboot'], port=port),
        task('too long', ['.'.join(['a' * 60] * 5)], port=port),
        task('empty term', [''], port=port),
        task('bad nameserver', ['myenv-fe01'], nameservers=['dns.example.test']),
    ]
    results, proc = ansible.playbook(tasks)
    ok = dict((k, v['msg']) for k, v in results.items() if v['_status'] == 'ok')
    failed = dict((k, v['msg']) for k, v in results.items() if v['_status'] == 'failed')

    assert ok['a and aaaa'] == ['192.0.2.11/32', '192.0.2.12/32', '2001:db8::11/128'], proc.stdout
    assert ok['ipv4 only'] == ['192.0.2.11/32']
    assert ok['ipv6 only'] == ['2001:db8::11/128']
    assert ok['details'][0] == {'address': '192.0.2.11/32', 'version': 4, 'frontends': ['myenv-fe01'],
                                'hostnames': ['myenv-fe01.outsystemsenterprise.com']}
    assert ok['tcp'] == ['192.0.2.12/32']
    assert ok['load balancer allowed'] == ['203.0.113.70/32']
    assert 'alias of the load balancer lb-77.eu-west-1.elb.amazonaws.com' in failed['load balancer']
    assert 'myenv-fe09 (myenv-fe09.outsystemsenterprise.com): NXDOMAIN' in failed['nxdomain']
    assert 'SERVFAIL' in failed['servfail']
    assert 'timed out after 0.5s' in failed['slow']
    assert "'fe01;reboot'" in failed['shell metacharacters'] and 'not a valid DNS label' in failed['shell metacharacters']
    assert 'more than 253' in failed['too long']
    assert 'Invalid front-end name' in failed['empty term']
    assert "Invalid nameserver 'dns.example.test'" in failed['bad nameserver']
    assert set(ok) | set(failed) == set(t['name'] for t in tasks)
    assert not any('reboot' in name for name, _t, _p in server.queries)
