# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.vpn_check from a client namespace to a 'VPN' namespace with a DNS server and an environment."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.integration.conftest import Ansible
from tests.integration.firewalls.test_traffic import PROBE
from tests.support.netns import link

ZONE = {'records': {'env-dev.outsystemsenterprise.com': {'A': ['10.20.0.5']},
                    'env-pub.outsystemsenterprise.com': {'A': ['203.0.113.5']}}}


def vpn_task(title, **args):
    args.setdefault('dns_servers', ['10.20.0.2'])
    args.setdefault('environment_fqdn', 'env-dev.outsystemsenterprise.com')
    args.setdefault('resolver', '10.20.0.2')
    args.setdefault('timeout', 1)
    args.setdefault('fail_on_problem', False)
    return {'name': title, 'allowlist.egress.vpn_check': args, 'register': 'r', 'ignore_errors': True}


def by_name(result):
    return dict((c['name'] + ('' if c['name'] != 'ping_dns_server' else ' ' + c['target']), c) for c in result['checks'])


def test_each_problem_gets_the_guides_diagnosis(netns, tmp_path):
    client, vpn = netns('cli'), netns('vpn')
    link(client, vpn, ['10.20.0.100/24'], ['10.20.0.2/24', '10.20.0.5/24'])
    zone = tmp_path / 'zone.json'
    zone.write_text(json.dumps(ZONE))
    dns = vpn.popen([sys.executable, '-m', 'tests.support.dns_server', '--zone', str(zone), '--host', '10.20.0.2',
                     '--port', '53'], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert 'listening' in dns.stdout.readline()
    servers = {}
    for port in (443, 80):
        servers[port] = vpn.popen([sys.executable, PROBE, 'serve', '--port', str(port)], stdout=subprocess.PIPE, text=True)
        assert servers[port].stdout.readline().strip() == 'ready'
    ansible = Ansible(tmp_path, prefix=client.prefix)

    results, proc = ansible.playbook([
        vpn_task('all good'),
        vpn_task('sentry', edition='sentry'),
        vpn_task('unreachable dns server', dns_servers=['10.20.0.2', '10.20.0.99']),
        vpn_task('public answer', environment_fqdn='env-pub.outsystemsenterprise.com'),
        vpn_task('no answer', environment_fqdn='env-none.outsystemsenterprise.com'),
        vpn_task('fails when asked', environment_fqdn='env-none.outsystemsenterprise.com', fail_on_problem=True),
        vpn_task('bad server', dns_servers=['dns.example']),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    good = results['all good']
    assert good['ok'] is True
    assert [c['name'] for c in good['checks']] == ['ping_dns_server', 'resolve_environment', 'tcp_443', 'tcp_80']
    assert by_name(good)['resolve_environment']['detail'] == '10.20.0.5'
    assert [c['name'] for c in results['sentry']['checks']] == ['ping_dns_server', 'resolve_environment', 'tcp_443']

    unreachable = by_name(results['unreachable dns server'])
    assert unreachable['ping_dns_server 10.20.0.2']['ok'] is True
    assert unreachable['ping_dns_server 10.20.0.99']['ok'] is False
    assert 'only hosts that answer ICMP' in unreachable['ping_dns_server 10.20.0.99']['diagnosis']
    assert results['unreachable dns server']['ok'] is False

    public = by_name(results['public answer'])
    assert public['resolve_environment']['detail'] == '203.0.113.5'
    assert 'resolves to a public address' in public['resolve_environment']['diagnosis']
    none = by_name(results['no answer'])
    assert none['resolve_environment']['detail'] == 'NXDOMAIN'
    assert 'conditional forwarder' in none['resolve_environment']['diagnosis']
    assert none['tcp_443']['diagnosis'].startswith('Not tested')
    assert results['fails when asked']['_status'] == 'failed'
    assert 'VPN check found 3 problem(s)' in results['fails when asked']['msg']
    assert "Invalid DNS server 'dns.example'" in results['bad server']['msg']

    # Port 443 closed on the environment.
    servers[443].kill()
    servers[443].wait()
    results, proc = ansible.playbook([vpn_task('closed 443')])
    closed = by_name(results['closed 443'])
    assert closed['tcp_443']['ok'] is False and 'refused' in closed['tcp_443']['detail'].lower()
    assert 'does not accept TCP 443' in closed['tcp_443']['diagnosis']
    assert closed['tcp_80']['ok'] is True and closed['resolve_environment']['ok'] is True
