# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.aws_wafv2_ip_set through ansible-playbook: real boto3 calls against moto on loopback.

The target's own rules (lock conflicts, limits, paging) are tested against moto in
tests/unit/plugins/module_utils/targets/test_aws_wafv2_ip_set.py; this file checks the module's wiring.
"""

from __future__ import annotations

import boto3
import pytest

from tests.integration.cases import module_task
from tests.support.moto_server import ENV

MODULE = 'allowlist.egress.aws_wafv2_ip_set'


def task(title, **kwargs):
    return module_task(MODULE, title, **kwargs)


@pytest.fixture
def aws(moto_server, ansible):
    ansible.env.update(ENV)
    client = boto3.client('wafv2', endpoint_url=moto_server.url, region_name='us-east-1',
                          aws_access_key_id='testing', aws_secret_access_key='testing')
    return moto_server.url, client, ansible


def stored(client, name, scope='REGIONAL'):
    for summary in client.list_ip_sets(Scope=scope)['IPSets']:
        if summary['Name'] == name:
            ip_set = client.get_ip_set(Name=name, Scope=scope, Id=summary['Id'])['IPSet']
            return sorted(ip_set['Addresses']), ip_set.get('Description')
    return None


def test_module_states_check_mode_diff_and_refusals(aws):
    url, client, ansible = aws
    base = dict(name='partner-egress', endpoint_url=url, return_commands=True)
    wanted = [{'address': '192.0.2.10', 'comment': 'partner'}, '198.51.100.0/24']
    results, proc = ansible.playbook([
        task('plan', check=True, diff=True, addresses=wanted, **base),
        task('create', addresses=wanted, description='Partner egress', **base),
        task('again', addresses=wanted, **base),
        task('wipe', addresses=[], ignore_errors=True, **base),
        task('bad description', addresses=wanted, description='no;semicolons', ignore_errors=True, **base),
        task('cloudfront', name='edge', scope='CLOUDFRONT', region='us-east-1', endpoint_url=url,
             addresses=['2001:db8::/48']),
        task('cloudfront elsewhere', name='edge', scope='CLOUDFRONT', region='eu-west-1', endpoint_url=url,
             addresses=['2001:db8::/48'], ignore_errors=True),
        task('gather', state='gathered', **base),
        task('absent', state='absent', **base),
        task('absent again', state='absent', **base),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = results['plan']
    assert plan['changed'] and plan['ip_set_id'] is None and plan['diff']['after'] == '192.0.2.10/32\n198.51.100.0/24\n'
    created = results['create']
    assert created['changed'] and created['ip_set_arn'] and created['address_family'] == 'IPv4'
    assert results['again']['changed'] is False and results['again']['commands'] == []
    assert 'Refusing to remove 257 of 257 IPv4 addresses' in results['wipe']['msg']
    assert "Invalid description 'no;semicolons'" in results['bad description']['msg']
    assert results['cloudfront']['address_family'] == 'IPv6'
    assert 'us-east-1 only; region is eu-west-1' in results['cloudfront elsewhere']['msg']
    assert results['bad description']['_status'] == 'failed'
    assert results['gather']['gathered'] == [{'address': '192.0.2.10/32', 'comment': None},
                                             {'address': '198.51.100.0/24', 'comment': None}]
    assert results['absent']['changed'] and not results['absent again']['changed']
    assert stored(client, 'partner-egress') is None and stored(client, 'edge', 'CLOUDFRONT') is not None
