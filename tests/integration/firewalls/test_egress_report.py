# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Review, audit and drift through playbooks/sync.yml and show.yml: plan.md / plan.json, the history, webhooks and
fail_on_drift, with two firewalls (nftables in network namespaces), a feed on a local HTTPS server, AWS on moto and
webhook receivers on loopback that record what they get."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
import yaml

from tests.conftest import ROOT
from tests.integration.conftest import BIN
from tests.support.moto_server import ENV

SYNC = os.path.join(ROOT, 'playbooks', 'sync.yml')
SHOW = os.path.join(ROOT, 'playbooks', 'show.yml')
FEED = '/ip-ranges.json?token=feedsecret'
SECRET = 'T0SECRET/B0SECRET/xoxSecretToken42'


class Receiver(object):
    """A webhook receiver on loopback: records every request (path, headers, body) and answers `status`."""

    def __init__(self, status=200):
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                receiver.requests.append(dict(path=self.path, headers=dict(self.headers), body=body))
                self.send_response(status)
                self.send_header('Content-Length', '2')
                self.end_headers()
                self.wfile.write(b'ok' if status < 300 else b'no')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.server.server_address[1], path)

    def bodies(self):
        return [json.loads(r['body']) for r in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(status=200):
        made.append(Receiver(status))
        return made[-1]

    yield make
    for receiver in made:
        receiver.stop()


def feed(token, prefixes):
    return json.dumps({'syncToken': token, 'createDate': '2026-11-20-10-00-00', 'prefixes': [
        {'ip_prefix': p, 'region': 'eu-west-1', 'service': 'AMAZON', 'network_border_group': 'eu-west-1'}
        for p in prefixes], 'ipv6_prefixes': []})


def ran(ansible, task):
    return [r['result'] for r in ansible.last_results
            if r['task'].split(' : ')[-1] == task and r['result'].get('_status') != 'skipped'
            and not r['result'].get('skipped')]


def history_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def test_plan_drift_apply_no_change_history_and_webhooks(netns, tmp_path, ansible, https_server, ca_file, receivers):
    hosts = {}
    for index in (1, 2):
        ns = netns('i13')
        hosts['fw%d' % index] = (ns, ns.python_wrapper(tmp_path / ('python-%d' % index)))
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': dict(
        (name, {'ansible_connection': 'local', 'ansible_python_interpreter': wrapper})
        for name, (_ns, wrapper) in hosts.items())}}))
    https_server.serve(FEED, feed('1700000000', ['198.51.100.0/28', '198.51.100.32/28']))
    report_dir, history = tmp_path / 'report', str(tmp_path / 'audit' / 'history.jsonl')
    base = {
        'egress_sync_hosts': 'all', 'ansible_become': False, 'egress_sync_report_dir': str(report_dir),
        'egress_sync_history': history,
        'egress_sync_sources': [
            {'type': 'egress_ranges', 'source': 'aws', 'region': ['eu-west-1'], 'comment': 'aws eu-west-1',
             'url': https_server.url(FEED), 'ca_path': ca_file,
             'cache_dir': str(tmp_path / 'cache'), 'cache_ttl': 0},
            {'type': 'static', 'addresses': ['192.0.2.10/32'], 'comment': 'office'}],
        'egress_sync_targets': [{'backend': 'nftables_set', 'table': 'filter', 'set': 'egress_v4'}],
    }
    plain, slack, teams, failing = receivers(), receivers(), receivers(), receivers(status=500)
    before = dict((name, ns.ruleset()) for name, (ns, _w) in hosts.items())

    # 1. A plan (check mode): the report for both hosts, nothing changes, nobody is notified. fail_on_drift is the
    #    string 'false' (as -e key=value gives it): false, so the drift fails nothing.
    _results, proc = ansible.run_playbook(SYNC, check=True, inventory=str(inventory), extra_vars=dict(
        base, egress_sync_notify_url=plain.url('/hook'), egress_sync_fail_on_drift='false'))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dict((name, ns.ruleset()) for name, (ns, _w) in hosts.items()) == before
    assert plain.requests == [] and history_lines(history) == []
    plan = json.loads((report_dir / 'plan.json').read_text())
    assert plan['schema'] == 'allowlist.egress/plan-report/1' and plan['mode'] == 'check'
    assert [(t['host'], t['object'], t['status'], t['before_count'], t['after_count'], t['added_count'])
            for t in plan['targets']] == [('fw1', 'egress_v4', 'drift', 0, 3, 3), ('fw2', 'egress_v4', 'drift', 0, 3, 3)]
    assert plan['targets'][0]['added'] == [{'address': '192.0.2.10/32', 'source': 'office'},
                                           {'address': '198.51.100.0/28', 'source': 'aws eu-west-1'},
                                           {'address': '198.51.100.32/28', 'source': 'aws eu-west-1'}]
    aws = plan['sources'][0]
    assert (aws['label'], aws['origin'], aws['count']) == ('aws eu-west-1', 'network', 2)
    (doc,) = aws['documents']
    assert doc['sync_token'] == '1700000000' and doc['etag'].startswith('"') and doc['fetched_at'].endswith('Z')
    assert doc['url'].endswith('/ip-ranges.json?token=***')
    assert plan['sources'][1]['origin'] == 'static'
    guards = plan['targets'][0]['guards']
    assert {'guard': 'max_additions', 'value': '100%', 'family': 4, 'before': 0, 'changed': 33, 'limit': 0,
            'verdict': 'new'} in guards
    assert plan['summary']['drifted'] == ['fw1: nftables_set egress_v4', 'fw2: nftables_set egress_v4']
    md = (report_dir / 'plan.md').read_text()
    assert md.startswith('## allowlist.egress plan: 2 of 2 targets would change')
    assert '| fw1 | nftables\\_set egress\\_v4 | 0 → 3 | +3 | −0 | drift |' in md
    assert '| + | 198.51.100.0/28 | `aws eu-west-1` |' in md
    assert 'syncToken `1700000000`; ETag `"' in md and '/ip-ranges.json?token=***`' in md
    assert 'check mode, nothing was changed' in md
    assert 'feedsecret' not in md + json.dumps(plan) + proc.stdout + proc.stderr

    # 2. Drift with fail_on_drift: the run fails naming both targets, changes nothing, and Slack hears of it.
    _results, proc = ansible.run_playbook(SYNC, check=True, inventory=str(inventory), extra_vars=dict(
        base, egress_sync_fail_on_drift=True, egress_sync_notify_url=slack.url('/services/' + SECRET),
        egress_sync_notify_format='slack'))
    assert proc.returncode != 0
    assert 'Drift: 2 targets differ from their sources (nothing was changed): fw1: nftables_set egress_v4 +3 -0; ' \
           'fw2: nftables_set egress_v4 +3 -0' in proc.stdout
    assert dict((name, ns.ruleset()) for name, (ns, _w) in hosts.items()) == before and history_lines(history) == []
    (request,) = slack.requests
    assert request['path'] == '/services/' + SECRET and request['headers']['Content-Type'] == 'application/json'
    assert request['headers']['User-Agent'].startswith('allowlist.egress')
    body = json.loads(request['body'])
    assert body['text'].startswith('allowlist.egress drift: 2 of 2 targets would change')
    assert body['blocks'][1]['text'] == {'type': 'plain_text', 'text': 'fw1 nftables_set egress_v4: 0 -> 3 (+3 -0)\n'
                                                                       'fw2 nftables_set egress_v4: 0 -> 3 (+3 -0)'}
    assert SECRET not in proc.stdout + proc.stderr

    # 3. Apply: both firewalls get the set, the history one record per target, Teams a card.
    _results, proc = ansible.run_playbook(SYNC, inventory=str(inventory), extra_vars=dict(
        base, egress_sync_notify_url=teams.url('/workflows/' + SECRET), egress_sync_notify_format='teams'))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for ns, _w in hosts.values():
        assert [e['elem']['val'] for e in ns.nft_set('inet', 'filter', 'egress_v4')['elem']] == [
            '192.0.2.10', {'prefix': {'addr': '198.51.100.0', 'len': 28}}, {'prefix': {'addr': '198.51.100.32', 'len': 28}}]
    records = history_lines(history)
    assert [(r['host'], r['object'], r['before_count'], r['after_count'], r['added_count'], r['removed_count'])
            for r in records] == [('fw1', 'egress_v4', 0, 3, 3, 0), ('fw2', 'egress_v4', 0, 3, 3, 0)]
    assert records[0]['plan_digest'] == records[1]['plan_digest'] == json.loads(
        (report_dir / 'plan.json').read_text())['plan']['digest']
    assert records[0]['sources'][0]['documents'][0]['sync_token'] == '1700000000'
    assert len(records[0]['sources'][0]['digest']) == 64
    (card,) = teams.bodies()
    assert card['type'] == 'message' and card['attachments'][0]['contentType'] == 'application/vnd.microsoft.card.adaptive'
    title = card['attachments'][0]['content']['body'][0]['text']
    assert title.startswith('allowlist.egress change applied: 2 of 2 targets changed')
    assert teams.requests[0]['headers']['Content-Type'] == 'application/json'
    assert json.loads((report_dir / 'plan.json').read_text())['mode'] == 'apply'

    # 4. Nothing to change: changed=0, no history record, no webhook call; the report says so.
    _results, proc = ansible.run_playbook(SYNC, inventory=str(inventory), extra_vars=dict(
        base, egress_sync_notify_url=plain.url('/hook')))
    assert proc.returncode == 0 and 'changed=0' in proc.stdout, proc.stdout
    assert len(history_lines(history)) == 2 and plain.requests == []
    assert (report_dir / 'plan.md').read_text().startswith('## allowlist.egress sync: No change in 2 targets')

    # 5. The feed moves (new syncToken, one prefix in, one out); the webhook fails: the sync succeeds, with a warning
    #    that shows neither the webhook's secret path nor its query.
    moved = ['198.51.100.0/28'] + ['203.0.113.%d/32' % i for i in range(1, 24, 2)]
    https_server.serve(FEED, feed('1700086400', moved))
    _results, proc = ansible.run_playbook(SYNC, inventory=str(inventory), verbose=True, extra_vars=dict(
        base, egress_sync_notify_url=failing.url('/hooks/' + SECRET + '?sig=querysecret')))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert 'Could not notify http://127.0.0.1:%d/...: HTTP 500' % failing.server.server_address[1] in output
    assert SECRET not in output and 'querysecret' not in output and 'xoxSecretToken42' not in output
    (sent,) = failing.bodies()
    assert sent['event'] == 'applied' and sent['summary']['added'] == 24 and sent['summary']['removed'] == 2
    assert sent['targets'][0]['added'] == ['203.0.113.%d/32' % i for i in range(1, 20, 2)]  # the summary's first 10
    assert sent['targets'][0]['added_count'] == 12 and sent['targets'][0]['removed'] == ['198.51.100.32/28']
    assert failing.requests[0]['headers']['Content-Type'] == 'application/json'
    records = history_lines(history)
    assert len(records) == 4
    assert records[2]['added'] == [{'address': '203.0.113.%d/32' % i, 'source': 'aws eu-west-1'} for i in range(1, 24, 2)]
    assert records[2]['removed'] == [{'address': '198.51.100.32/28', 'source': 'aws eu-west-1'}]
    md = (report_dir / 'plan.md').read_text()
    assert '<details><summary>12 added, 1 removed</summary>' in md and '| - | 198.51.100.32/28 | `aws eu-west-1` |' in md
    assert '| max_removals | IPv4 | 50% | 33 | 16 | 16 | ok |' in md
    if os.environ.get('WRITE_PLAN_EXAMPLE'):  # refreshes the golden example in docs/ (see docs/plan-report.md)
        for name in ('plan.md', 'plan.json'):
            with open(os.path.join(ROOT, 'docs', name.replace('plan.', 'plan.example.')), 'w') as f:
                f.write((report_dir / name).read_text())
    with open(history) as f:
        first_two = f.read().splitlines()[:2]
    assert [json.loads(line) for line in first_two] == records[:2]  # appended, never rewritten

    # 6. show.yml: per source, what the history recorded.
    _results, proc = ansible.run_playbook(SHOW, inventory=str(inventory), extra_vars=base)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (shown,) = ran(ansible, 'What changed, and when (the history of applied runs, per source)')
    assert [line.split(' on ')[0] for line in shown['lines']] == [
        'aws eu-west-1 (cache): +2 -0', 'office (static): +1 -0', 'aws eu-west-1 (network): +12 -1']
    # The first apply revalidated the plan's copy (304): origin cache; the second fetched the new list.
    assert shown['lines'][2].endswith('from syncToken 1700000000 to syncToken 1700086400')
    assert 'aws eu-west-1 (network): +12 -1 on ' in proc.stdout

    # 7. Two runs at once (one per firewall) append to the same history: both records arrive whole.
    https_server.serve(FEED, feed('1700172800', moved + ['203.0.113.99/32']))
    procs = []
    for name in hosts:
        env = dict(ansible.env, RESULTS_FILE=str(tmp_path / ('results-%s.json' % name)))
        argv = [os.path.join(BIN, 'ansible-playbook'), '-i', str(inventory), SYNC, '-e', json.dumps(dict(
            base, egress_sync_hosts=name, egress_sync_report_dir=str(tmp_path / ('report-' + name))))]
        procs.append(subprocess.Popen(argv, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True))
    for p in procs:
        out = p.communicate(timeout=300)[0]
        assert p.returncode == 0, out
    records = history_lines(history)
    assert len(records) == 6 and sorted(r['host'] for r in records[4:]) == ['fw1', 'fw2']
    assert all(r['added'] == [{'address': '203.0.113.99/32', 'source': 'aws eu-west-1'}] for r in records[4:])


def test_aws_prefix_list_plan_and_apply_report(tmp_path, ansible, https_server, ca_file, moto_server):
    https_server.serve('/ip-ranges.json', feed('1700000000', ['198.51.100.0/28']))
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': {'localhost': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
    ansible.env.update(ENV)
    # Relative paths, as a CI job gives them: relative to where ansible-playbook runs (the test's tmp_path).
    report_dir, history = tmp_path / 'report', str(tmp_path / 'history.jsonl')
    extra = {'egress_sync_hosts': 'localhost', 'ansible_become': False, 'egress_sync_report_dir': 'report',
             'egress_sync_history': 'history.jsonl', 'egress_sync_fail_on_drift': True,
             'egress_sync_sources': [{'type': 'egress_ranges', 'source': 'aws', 'url': https_server.url('/ip-ranges.json'),
                                      'ca_path': ca_file, 'cache_dir': str(tmp_path / 'cache'), 'cache_ttl': 0}],
             'egress_sync_targets': [{'backend': 'aws_prefix_list', 'name': 'egress', 'endpoint_url': moto_server.url}]}
    _results, proc = ansible.run_playbook(SYNC, check=True, inventory=str(inventory), extra_vars=extra)
    assert proc.returncode != 0 and 'localhost: aws_prefix_list egress +1 -0' in proc.stdout, proc.stdout
    (target,) = json.loads((report_dir / 'plan.json').read_text())['targets']
    assert (target['backend'], target['status'], target['before_count'], target['after_count']) == (
        'aws_prefix_list', 'drift', 0, 1)
    _results, proc = ansible.run_playbook(SYNC, inventory=str(inventory), extra_vars=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    client = boto3.client('ec2', endpoint_url=moto_server.url, region_name='us-east-1', aws_access_key_id='testing',
                          aws_secret_access_key='testing')
    (pl,) = [p for p in client.describe_managed_prefix_lists()['PrefixLists'] if p.get('OwnerId') != 'AWS']
    assert [e['Cidr'] for e in client.get_managed_prefix_list_entries(PrefixListId=pl['PrefixListId'])['Entries']] == [
        '198.51.100.0/28']
    (record,) = history_lines(history)
    assert (record['backend'], record['object'], record['added']) == (
        'aws_prefix_list', 'egress', [{'address': '198.51.100.0/28', 'source': 'egress_ranges:aws'}])
    # In sync now: the drift check passes.
    _results, proc = ansible.run_playbook(SYNC, check=True, inventory=str(inventory), extra_vars=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((report_dir / 'plan.json').read_text())['summary']['drifted'] == []
    # A list that empties out: max_removals refuses, the report still says why, the target and history stay as
    # they were, and the run fails.
    https_server.serve('/ip-ranges.json', feed('1700172800', ['203.0.113.64/32']))
    _results, proc = ansible.run_playbook(SYNC, inventory=str(inventory), extra_vars=dict(extra, egress_sync_fail_on_drift=False))
    assert proc.returncode != 0
    report = json.loads((report_dir / 'plan.json').read_text())
    (failure,) = report['failures']
    assert failure['host'] == 'localhost' and 'Refusing to remove 16 of 16 IPv4 addresses' in failure['msg']
    assert 'Refusing to remove 16 of 16' in (report_dir / 'plan.md').read_text()
    assert [e['Cidr'] for e in client.get_managed_prefix_list_entries(PrefixListId=pl['PrefixListId'])['Entries']] == [
        '198.51.100.0/28']
    assert len(history_lines(history)) == 1
    assert 'Fail the hosts whose targets failed' in proc.stdout
