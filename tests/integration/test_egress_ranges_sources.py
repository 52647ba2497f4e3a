# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The azure, stripe, datadog and okta sources through ansible-playbook: the egress_ranges lookup, the
egress_ranges_info module and an egress_plan source, against a real local HTTPS server (trustme) serving each
publisher's documents in their own format."""

from __future__ import annotations

import copy
import json

from tests.integration.test_egress_ranges import lookup_task, q
from tests.support import feeds


def test_new_sources_through_lookup_module_and_plan(ansible, https_server, ca_file, tmp_path):
    private_okta = copy.deepcopy(feeds.OKTA)
    private_okta['us_cell_1']['ip_ranges'].append('10.1.0.0/16')
    served = {
        '/download/ServiceTags_Public_20261116.json': feeds.body(feeds.AZURE),
        '/files/ips/ips_webhooks.json': feeds.body(feeds.STRIPE),
        '/files/ips/ips_webhooks.txt': feeds.STRIPE_TXT,
        '/datadog/': feeds.body(feeds.DATADOG),
        '/okta-ip-ranges/ip_ranges.json': feeds.body(feeds.OKTA),
        '/private/ip_ranges.json': json.dumps(private_okta),
    }
    for path, body in served.items():
        https_server.serve(path, body, content_type='text/plain' if path.endswith('.txt') else 'application/json')
    url = https_server.url
    azure_url = url('/download/ServiceTags_Public_20261116.json')
    common = {'ca_path': ca_file}
    tasks = [
        lookup_task('azure', q('azure', name='ActionGroup', url=azure_url, **common)),
        lookup_task('azure devops westeurope', q('azure', service='AzureDevOps', region='westeurope', url=azure_url,
                                                 **common)),
        lookup_task('azure no url', q('azure', name='ActionGroup')),
        lookup_task('azure typo', q('azure', name='ActionGroups', url=azure_url, **common)),
        lookup_task('stripe', q('stripe', url=url('/files/ips/ips_webhooks.json'), **common)),
        lookup_task('stripe txt', q('stripe', url=url('/files/ips/ips_webhooks.txt'), **common)),
        lookup_task('datadog', q('datadog', key='webhooks', url=url('/datadog/'), details=True, **common)),
        lookup_task('datadog typo', q('datadog', key='webhook', url=url('/datadog/'), **common)),
        lookup_task('okta', q('okta', cell=['us_cell_1', 'emea_cell_2'], url=url('/okta-ip-ranges/ip_ranges.json'),
                              ip_version='4', aggregate=True, **common)),
        lookup_task('okta unknown cell', q('okta', cell='OK1', url=url('/okta-ip-ranges/ip_ranges.json'), **common)),
        lookup_task('okta private', q('okta', cell='emea_cell_2', url=url('/private/ip_ranges.json'), **common)),
        {'name': 'module azure', 'allowlist.egress.egress_ranges_info': {
            'sources': ['azure'], 'name': ['ActionGroup', 'AzureCloud.westeurope'], 'url': azure_url, 'ca_path': ca_file}},
        {'name': 'plan', 'allowlist.egress.egress_plan': {
            'plan_dir': str(tmp_path / 'plans'), 'entries': True, 'sources': [
                {'type': 'egress_ranges', 'source': 'azure', 'name': ['ActionGroup'], 'url': azure_url, 'ca_path': ca_file},
                {'type': 'egress_ranges', 'source': 'okta', 'cell': ['us_cell_14'],
                 'url': url('/okta-ip-ranges/ip_ranges.json'), 'ca_path': ca_file},
                {'type': 'egress_ranges', 'source': 'datadog', 'key': ['synthetics'], 'url': url('/datadog/'),
                 'ca_path': ca_file, 'comment': 'Datadog synthetics'}]}},
    ]
    results, proc = ansible.playbook(tasks)

    assert results['azure']['msg'] == ['192.0.2.16/28', '198.51.100.64/27', '2001:db8:a::/126'], results['azure']
    assert results['azure devops westeurope']['msg'] == ['198.51.100.128/26']
    assert results['azure no url']['_status'] == 'failed' and 'Source azure needs the url option' in results['azure no url']['msg']
    assert "Invalid name 'ActionGroups' for source azure" in results['azure typo']['msg']
    assert 'ActionGroup' in results['azure typo']['msg'].split('it lists', 1)[1]
    assert results['stripe']['msg'] == ['192.0.2.63/32', '198.51.100.8/32', '203.0.113.93/32']
    assert results['stripe txt']['msg'] == results['stripe']['msg']
    datadog = results['datadog']['msg']
    assert [d['address'] for d in datadog] == ['203.0.113.32/28', '203.0.113.48/29']
    assert datadog[0]['provenance'][0]['version'] == 64 and datadog[0]['provenance'][0]['modified'] == '2026-11-18-12-00-00'
    assert "Invalid key 'webhook' for source datadog" in results['datadog typo']['msg']
    assert 'it lists agents, api, remote-configuration, synthetics, synthetics-private-locations, webhooks' in \
        results['datadog typo']['msg']
    assert results['okta']['msg'] == ['192.0.2.43/32', '198.51.100.0/28', '203.0.113.0/28', '203.0.113.16/32']
    assert "Invalid cell 'OK1' for source okta" in results['okta unknown cell']['msg']
    assert 'it lists emea_cell_2, preview_cell_1, us_cell_1, us_cell_14' in results['okta unknown cell']['msg']
    # the private range is in a cell that was not asked for: the cell asked for is still served
    assert results['okta private']['msg'] == ['203.0.113.0/28', '203.0.113.16/32'], results['okta private']

    module = results['module azure']
    assert module['ipv4'] == ['192.0.2.16/28', '198.51.100.64/27', '203.0.113.0/24'], module
    assert module['ipv6'] == ['2001:db8:a::/126', '2001:db8:e::/48']
    assert module['provenance'][0]['change_number'] == 351 and module['provenance'][0]['cloud'] == 'Public'

    plan = results['plan']['plan']
    assert plan['counts'] == {'egress_ranges:azure': 3, 'egress_ranges:okta': 1, 'Datadog synthetics': 3}, plan
    assert plan['origins']['egress_ranges:azure'] in ('network', 'cache')
    assert {'comment': 'egress_ranges:okta', 'addresses': ['198.51.100.64/28']} in plan['ipv4']
    azure_source = [s for s in plan['sources'] if s['label'] == 'egress_ranges:azure'][0]
    assert azure_source['provenance'][0]['change_number'] == 351


def test_a_refused_prefix_fails_the_lookup_and_the_plan(ansible, https_server, ca_file, tmp_path):
    private_okta = copy.deepcopy(feeds.OKTA)
    private_okta['us_cell_1']['ip_ranges'].append('10.1.0.0/16')
    https_server.serve('/ip_ranges.json', json.dumps(private_okta))
    okta_url = https_server.url('/ip_ranges.json')
    tasks = [
        lookup_task('lookup', q('okta', cell='us_cell_1', url=okta_url, ca_path=ca_file)),
        {'name': 'plan', 'allowlist.egress.egress_plan': {'plan_dir': str(tmp_path / 'plans'), 'sources': [
            {'type': 'egress_ranges', 'source': 'okta', 'url': okta_url, 'ca_path': ca_file}]},
         'ignore_errors': True},
    ]
    results, _proc = ansible.playbook(tasks)
    for name in ('lookup', 'plan'):
        assert results[name]['_status'] == 'failed', results[name]
        assert 'Refusing 10.1.0.0/16 from source okta' in results[name]['msg'] and okta_url in results[name]['msg']
    assert not (tmp_path / 'plans').exists() or not list((tmp_path / 'plans').iterdir())
