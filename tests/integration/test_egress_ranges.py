# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The egress_ranges lookup and the egress_ranges_info module through ansible and ansible-playbook,
against a real local HTTPS server (trustme certificates) serving each publisher's format with ETags."""

from __future__ import annotations

import json


def test_adhoc_lookup_cloudgov(ansible):
    result, proc = ansible.adhoc('ansible.builtin.debug', "msg={{ lookup('allowlist.egress.egress_ranges', 'cloudgov') }}")
    assert result['msg'] == '52.222.122.97/32,52.222.123.172/32', proc.stderr


def lookup_task(name, expr, **kwargs):
    task = {'name': name, 'ansible.builtin.debug': {'msg': '{{ %s }}' % expr}, 'ignore_errors': True}
    task.update(kwargs)
    return task


def q(source, **options):
    args = ''.join(", %s=%s" % (k, json.dumps(v)) for k, v in options.items())
    return "query('allowlist.egress.egress_ranges', '%s'%s)" % (source, args)


def test_http_behaviours_through_a_playbook(ansible, https_server, ca_file, tmp_path):
    https_server.serve('/AtlasAppServicesPublicIPsAWS.json', json.dumps(['198.51.100.2', '192.0.2.1']))
    https_server.serve('/AtlasAppServicesPublicIPsAWS.csv', '192.0.2.7\n192.0.2.1\n', content_type='text/csv')
    https_server.serve('/limited.json', json.dumps(['203.0.113.9']))
    https_server.script('/limited.json', (429, {'Retry-After': '1'}, 'Too Many Requests'))
    https_server.serve('/html.json', '<!DOCTYPE html><html><body>Service Unavailable</body></html>', content_type='text/html')
    https_server.serve('/truncated.json', '["192.0.2.1", "192.0.2.')
    https_server.serve('/empty.json', '[]')
    https_server.serve('/notanip.json', json.dumps(['192.0.2.1', '192.0.2.999']))
    common = {'ca_path': ca_file}
    url = https_server.url
    tasks = [
        lookup_task('json', q('atlas', provider='aws', url=url('/AtlasAppServicesPublicIPsAWS.json'), **common)),
        lookup_task('conditional', q('atlas', provider='aws', url=url('/AtlasAppServicesPublicIPsAWS.json'), cache_ttl=0, **common)),
        lookup_task('fresh', q('atlas', provider='aws', url=url('/AtlasAppServicesPublicIPsAWS.json'), **common)),
        lookup_task('csv', q('atlas', url=url('/AtlasAppServicesPublicIPsAWS.csv'), **common)),
        lookup_task('rate limited', q('custom', url=url('/limited.json'), **common)),
        lookup_task('prime flaky', q('custom', url=url('/flaky.json'), **common)),
        lookup_task('stale', q('custom', url=url('/flaky.json'), cache_ttl=0, max_stale=3600, retries=1, **common)),
        lookup_task('html', q('atlas', url=url('/html.json'), **common)),
        lookup_task('truncated', q('atlas', url=url('/truncated.json'), **common)),
        lookup_task('empty', q('atlas', url=url('/empty.json'), **common)),
        lookup_task('not an address', q('atlas', url=url('/notanip.json'), **common)),
        lookup_task('untrusted', q('atlas', url=url('/AtlasAppServicesPublicIPsAWS.json'), retries=0, cache_dir=str(tmp_path / 'other-cache'))),
    ]

    # 'prime flaky' caches a good copy; then the server fails twice and 'stale' falls back to that copy.
    https_server.script('/flaky.json', (200, {'Content-Type': 'application/json'}, json.dumps(['203.0.113.10'])),
                        (500, {}, 'boom'), (500, {}, 'boom'))
    results, proc = ansible.playbook(tasks)

    assert results['json']['msg'] == ['192.0.2.1/32', '198.51.100.2/32'], results['json']
    # Conditional GET: the second task revalidated with If-None-Match and got a 304.
    sent = https_server.requests_for('/AtlasAppServicesPublicIPsAWS.json')
    assert len(sent) == 2 and 'If-None-Match' not in sent[0]['headers'] and sent[1]['headers']['If-None-Match']
    assert results['conditional']['msg'] == ['192.0.2.1/32', '198.51.100.2/32']
    assert results['fresh']['msg'] == ['192.0.2.1/32', '198.51.100.2/32']  # no third request: cache_ttl
    assert results['csv']['msg'] == ['192.0.2.1/32', '192.0.2.7/32']
    assert results['rate limited']['msg'] == ['203.0.113.9/32']
    assert len(https_server.requests_for('/limited.json')) == 2
    assert results['stale']['msg'] == ['203.0.113.10/32'], results['stale']
    assert 'Using a cached copy of %s' % url('/flaky.json') in proc.stderr + proc.stdout
    assert results['html']['_status'] == 'failed' and 'an HTML page' in results['html']['msg'] and url('/html.json') in results['html']['msg']
    assert results['truncated']['_status'] == 'failed' and 'did not return valid JSON' in results['truncated']['msg']
    assert results['empty']['_status'] == 'failed' and 'holds no addresses' in results['empty']['msg']
    assert "Invalid address '192.0.2.999'" in results['not an address']['msg'] and url('/notanip.json') in results['not an address']['msg']
    assert results['untrusted']['_status'] == 'failed' and 'TLS error' in results['untrusted']['msg']


def test_bad_requests_fail_with_clear_messages(ansible):
    tasks = [
        lookup_task('unknown source', "query('allowlist.egress.egress_ranges', 'nope')"),
        lookup_task('bad option', "query('allowlist.egress.egress_ranges', 'cloudgov', provider='aws')"),
        lookup_task('empty term', "query('allowlist.egress.egress_ranges', '')"),
        lookup_task('offline atlas', "query('allowlist.egress.egress_ranges', 'atlas', offline=true)"),
        lookup_task('offline cloudgov', "query('allowlist.egress.egress_ranges', 'cloudgov', offline=true, details=true)"),
    ]
    results, _proc = ansible.playbook(tasks)
    assert "Unknown source 'nope': valid sources are atlas, atlas_control_plane" in results['unknown source']['msg']
    assert 'Option provider is not valid for source cloudgov' in results['bad option']['msg']
    assert "Invalid source ''" in results['empty term']['msg']
    assert len(results['offline atlas']['msg']) == 96  # the bundled snapshot of all three providers
    detail = results['offline cloudgov']['msg'][0]
    assert detail['address'] == '52.222.122.97/32' and detail['provenance'][0]['origin'] == 'snapshot'


def test_info_module_on_the_managed_host(ansible, https_server, ca_file):
    https_server.serve('/cloud.json', json.dumps({'syncToken': '42', 'creationTime': '2026-11-21T00:00:00', 'prefixes': [
        {'ipv4Prefix': '192.0.2.0/24', 'scope': 'europe-west1', 'service': 'Google Cloud'},
        {'ipv6Prefix': '2001:db8::/48', 'scope': 'europe-west1', 'service': 'Google Cloud'},
        {'ipv4Prefix': '198.51.100.0/24', 'scope': 'us-east1', 'service': 'Google Cloud'}]}))
    tasks = [
        {'name': 'gcp', 'allowlist.egress.egress_ranges_info': {
            'sources': ['gcp'], 'scope': ['europe-west1'], 'url': https_server.url('/cloud.json'), 'ca_path': ca_file},
         'register': 'gcp'},
        {'name': 'cloudgov', 'allowlist.egress.egress_ranges_info': {'sources': ['cloudgov'], 'offline': True}},
        {'name': 'bad', 'allowlist.egress.egress_ranges_info': {'sources': ['cloudgov'], 'key': ['hooks']},
         'ignore_errors': True},
    ]
    results, proc = ansible.playbook(tasks, check=True)
    gcp = results['gcp']
    assert gcp['changed'] is False and gcp['addresses'] == ['192.0.2.0/24', '2001:db8::/48'], gcp
    assert gcp['ipv4'] == ['192.0.2.0/24'] and gcp['ipv6'] == ['2001:db8::/48']
    assert gcp['provenance'][0]['sync_token'] == '42' and gcp['provenance'][0]['origin'] == 'network'
    assert results['cloudgov']['addresses'] == ['52.222.122.97/32', '52.222.123.172/32']
    assert results['bad']['_status'] == 'failed' and 'Option key is not valid for source cloudgov' in results['bad']['msg']


SECRETS = ('s3cr3t', 'TOKEN123', 'HDRT0KEN9')


def test_no_secret_reaches_the_output_at_vvv(ansible, https_server, ca_file):
    # The server answers only with the Basic auth and the query token, or with the header token: the fetches
    # really used the secrets, and none of them appears in stdout, stderr or the recorded results.
    https_server.serve('/list.txt?access_token=TOKEN123', '192.0.2.1\n', content_type='text/plain', auth=('user', 's3cr3t'))
    https_server.serve('/token.txt', '198.51.100.1\n', content_type='text/plain', headers={'Authorization': 'Bearer HDRT0KEN9'})
    secret_url = https_server.url('/list.txt?access_token=TOKEN123').replace('https://', 'https://user:s3cr3t@')
    dead_url = 'https://user:s3cr3t@127.0.0.1:9/list.txt?access_token=TOKEN123'
    token = {'Authorization': 'Bearer {{ mirror_token }}'}
    module = 'allowlist.egress.egress_ranges_info'
    tasks = [
        {'name': 'module url', module: {'sources': ['custom'], 'url': '{{ secret_url }}', 'ca_path': ca_file}},
        {'name': 'module headers', module: {'sources': ['custom'], 'url': https_server.url('/token.txt'),
                                            'headers': token, 'ca_path': ca_file}},
        {'name': 'module fails', module: {'sources': ['custom'], 'url': '{{ dead_url }}', 'retries': 0}, 'ignore_errors': True},
        lookup_task('lookup url', "query('allowlist.egress.egress_ranges', 'custom', url=secret_url, ca_path=%r, details=true)"
                    % ca_file),
        lookup_task('lookup headers', "query('allowlist.egress.egress_ranges', 'custom', url=%r, ca_path=%r, "
                    "headers={'Authorization': 'Bearer ' ~ mirror_token})" % (https_server.url('/token.txt'), ca_file)),
        lookup_task('lookup fails', "query('allowlist.egress.egress_ranges', 'custom', url=dead_url, retries=0)"),
    ]
    results, proc = ansible.playbook(tasks, verbose=True, extra_vars={
        'secret_url': secret_url, 'dead_url': dead_url, 'mirror_token': 'HDRT0KEN9'})
    assert results['module url']['addresses'] == ['192.0.2.1/32'], results['module url']
    assert results['module url']['provenance'][0]['url'].startswith('https://***@127.0.0.1:')
    assert results['module url']['invocation']['module_args']['url'].endswith('/list.txt?access_token=***')
    assert results['module headers']['addresses'] == ['198.51.100.1/32'], results['module headers']
    assert results['module fails']['_status'] == 'failed' and 'access_token=***' in results['module fails']['msg']
    assert results['lookup url']['msg'][0]['provenance'][0]['url'].endswith('/list.txt?access_token=***')
    assert results['lookup headers']['msg'] == ['198.51.100.1/32']
    assert results['lookup fails']['_status'] == 'failed' and 'access_token=***' in results['lookup fails']['msg']
    everything = proc.stdout + proc.stderr + json.dumps(ansible.last_results)
    assert 'access_token=***' in proc.stdout  # -vvv prints the results, invocation included
    for secret in SECRETS:
        assert secret not in everything, secret
