# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan report: data, Markdown (and its golden example in docs/), drift, webhook bodies and the POST itself."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _report
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
DOCS = os.path.join(ROOT, 'docs')
NOW = 1795000000

PLAN = {
    'digest': 'ab' * 32, 'ipv4_count': 3, 'ipv6_count': 0,
    'sources': [
        {'label': 'aws eu-west-1', 'type': 'egress_ranges', 'origin': 'network', 'count': 2, 'digest': 'cd' * 32,
         'provenance': [{'source': 'aws', 'url': 'https://user:pw@mirror.example/ip-ranges.json?key=s3cr3t',
                         'origin': 'network', 'fetched_at': '2026-11-17T08:00:00Z', 'age_seconds': 1,
                         'etag': '"e1"', 'sync_token': '1700000000', 'create_date': '2026-11-17-07-00-00',
                         'count': 2}]},
        {'label': 'office', 'type': 'static', 'origin': 'static', 'count': 1, 'digest': 'ef' * 32, 'provenance': []}],
}


def sync_result(added=(), removed=(), added_sources=None, removed_sources=None, before=0, changed=None, **extra):
    target = dict(backend='nftables_set', object='egress_v4', family=4, changed=bool(added or removed)
                  if changed is None else changed, plan_digest=PLAN['digest'], before_count=before,
                  after_count=before + len(added) - len(removed), added_count=len(added), removed_count=len(removed),
                  added=list(added), removed=list(removed),
                  added_sources=list(added_sources if added_sources is not None else ['aws eu-west-1'] * len(added)),
                  removed_sources=list(removed_sources if removed_sources is not None else ['office'] * len(removed)),
                  lists_truncated=False, guards=[])
    target.update(extra)
    return {'changed': target['changed'], 'targets': [target], 'plan_digest': PLAN['digest']}


def test_build_a_check_mode_report_of_two_hosts_with_a_failure():
    report = _report.build(PLAN, [('fw1', sync_result(['198.51.100.0/28'], ['192.0.2.9/32'])),
                                  ('fw2', sync_result(changed=False, before=3)),
                                  ('fw3', {'failed': True, 'msg': 'Refusing to remove 3 of 3', 'targets': []}),
                                  ('fw4', None)], check_mode=True, now=NOW)
    assert report['mode'] == 'check' and report['generated_at'] == '2026-11-18T11:06:40Z'
    assert [(t['host'], t['status']) for t in report['targets']] == [('fw1', 'drift'), ('fw2', 'unchanged')]
    assert report['targets'][0]['added'] == [{'address': '198.51.100.0/28', 'source': 'aws eu-west-1'}]
    assert report['targets'][0]['removed'] == [{'address': '192.0.2.9/32', 'source': 'office'}]
    assert report['failures'][0] == {'host': 'fw3', 'msg': 'Refusing to remove 3 of 3'}
    assert report['failures'][1]['host'] == 'fw4' and 'no result' in report['failures'][1]['msg']
    assert report['summary']['drifted'] == ['fw1: nftables_set egress_v4']
    assert report['summary']['text'] == ('1 of 2 targets would change (plan abababababab): fw1: nftables_set egress_v4 '
                                         '+1 -1; 2 hosts failed: fw3, fw4')
    doc = report['sources'][0]['documents'][0]
    assert doc['url'] == 'https://***@mirror.example/ip-ranges.json?key=***' and 'age_seconds' not in doc
    assert 's3cr3t' not in json.dumps(report) and 's3cr3t' not in _report.markdown(report)
    jsonschema.validate(report, _schema())
    assert _report.drift_message(report) == ('Drift: 1 targets differ from their sources (nothing was changed): '
                                             'fw1: nftables_set egress_v4 +1 -1')


def test_apply_mode_has_no_drift_and_the_digest_ignores_the_time():
    results = [('fw1', sync_result(['198.51.100.0/28']))]
    report = _report.build(PLAN, results, check_mode=False, now=NOW)
    assert report['targets'][0]['status'] == 'changed' and report['summary']['drifted'] == []
    assert _report.digest(report) == _report.digest(_report.build(PLAN, results, check_mode=False, now=NOW + 60))
    assert _report.digest(report) != _report.digest(_report.build(PLAN, results, check_mode=True, now=NOW))


def _schema():
    with open(os.path.join(DOCS, 'plan-report.schema.json')) as f:
        return json.load(f)


def test_markdown_cells_cannot_inject_links_html_or_cells():
    plan = dict(PLAN, sources=[dict(PLAN['sources'][1], label='[click](https://evil.example) | <img src=x>\nnew row')])
    report = _report.build(plan, [('fw|1', sync_result(['192.0.2.1/32'], added_sources=[plan['sources'][0]['label']]))],
                           check_mode=True, now=NOW)
    text = _report.markdown(report)
    outside = re.sub(r'`[^`]*`', '', text)
    assert '<img' not in outside and not re.search(r'(?<!\\)\]\(', outside) and '\nnew row' not in text
    assert '| + | 192.0.2.1/32 | `[click](https://evil.example) \\| <img src=x> new row` |' in text
    assert '\\[click\\](https://evil.example) \\| &lt;img src=x&gt; new row' in text
    assert '| fw\\|1 |' in text
    rows = [line for line in text.splitlines() if line.startswith('| + |')]
    assert rows and all(line.count('|') - line.count('\\|') == 4 for line in rows)


def test_long_lists_are_folded_and_truncated_lists_say_how_many_more():
    few = _report.markdown(_report.build(PLAN, [('fw1', sync_result(['192.0.2.%d/32' % i for i in range(10)]))],
                                         True, now=NOW))
    assert '<details>' not in few and few.count('| + |') == 10
    many = ['192.0.2.%d/32' % i for i in range(11)]
    result = sync_result(many)
    result['targets'][0].update(added_count=5000, lists_truncated=True)
    text = _report.markdown(_report.build(PLAN, [('fw1', result)], True, now=NOW))
    assert '<details><summary>5000 added, 0 removed</summary>' in text and '</details>' in text
    assert '| | 4989 more not listed | |' in text


def test_plan_md_stays_within_a_github_comment_and_says_where_the_rest_is():
    many = ['2001:db8::%x/128' % (2 * i) for i in range(5000)]
    results = [('fw%d' % n, sync_result(many, added_sources=['aws eu-west-1'] * 5000)) for n in range(3)]
    report = _report.build(PLAN, results, True, now=NOW)
    text = _report.markdown(report)
    assert len(text) < 65536 and text.count('| + |') == 3 * (_report.MAX_ROWS // 3)
    assert text.count('| | %d more not listed here, see plan.json | |' % (5000 - _report.MAX_ROWS // 3)) == 3
    assert len(report['targets'][0]['added']) == 5000


def test_a_removal_whose_source_is_not_stored_shows_as_unknown_not_several():
    # firewalld ipsets and comment-less feeds keep no source of an entry: a removal's source is unknown.
    result = sync_result(['192.0.2.0/31'], ['198.51.100.0/28'], added_sources=[None], removed_sources=[None])
    report = _report.build(PLAN, [('fw1', result)], True, now=NOW)
    assert report['targets'][0]['removed'] == [{'address': '198.51.100.0/28', 'source': None}]
    text = _report.markdown(report)
    assert '| - | 198.51.100.0/28 | (unknown) |' in text and '| + | 192.0.2.0/31 | (several) |' in text


def test_a_change_spanning_sources_and_the_guards_table():
    result = sync_result(['192.0.2.0/31'], added_sources=[None], guards=[
        dict(guard='max_removals', value='50%', family=4, before=10, changed=0, limit=5, verdict='ok'),
        dict(guard='max_additions', value=None, family=None, before=None, changed=None, limit=None, verdict='off')])
    text = _report.markdown(_report.build(PLAN, [('fw1', result)], True, now=NOW))
    assert '| + | 192.0.2.0/31 | (several) |' in text and '| + |' not in text.replace('| + | 192.0.2.0/31', '')
    assert '| max_removals | IPv4 | 50% | 10 | 0 | 5 | ok |' in text and '| max_additions | - | - | - | - | - | off |' in text
    assert '| aws eu-west-1 | egress\\_ranges | network | 2 | `https://***@mirror.example/ip-ranges.json?key=***` ' \
           '| 2026-11-17T08:00:00Z | syncToken `1700000000`; ETag `"e1"` |' in text
    assert '| office | static | static | 1 | - | - | - |' in text


def test_the_golden_example_in_docs_is_what_the_generator_writes_for_its_json():
    with open(os.path.join(DOCS, 'plan.example.json')) as f:
        example = json.load(f)
    jsonschema.validate(example, _schema())
    with open(os.path.join(DOCS, 'plan.example.md')) as f:
        golden = f.read()
    assert _report.markdown(example) == golden
    # Its structure: a heading, the targets with their tables, a folded long list, the guards, the sources.
    for part in ('## allowlist.egress sync: ', '### Targets', '#### nftables\\_set egress\\_v4 on fw1',
                 '| host | object | before → after | added | removed | status |', '<details><summary>',
                 '| guard | family | value | addresses before | changing | limit | verdict |', '### Sources',
                 '| source | type | origin | addresses | URL | fetched | version |'):
        assert part in golden


def test_write_is_atomic_and_a_bad_directory_is_an_error(tmp_path):
    report = _report.build(PLAN, [('fw1', sync_result(['192.0.2.1/32']))], True, now=NOW)
    paths = _report.write(report, str(tmp_path / 'new' / 'dir'))
    assert json.loads(open(paths[0]).read()) == report and open(paths[1]).read() == _report.markdown(report)
    assert sorted(os.listdir(str(tmp_path / 'new' / 'dir'))) == ['plan.json', 'plan.md']  # no temporary left
    (tmp_path / 'file').write_text('x')
    with pytest.raises(EgressError, match='Cannot write the plan report in .*file/sub'):
        _report.write(report, str(tmp_path / 'file' / 'sub'))


@pytest.mark.parametrize('mode, changed, fail_on_drift, expected', [
    ('apply', True, False, True), ('apply', False, False, False), ('apply', True, True, True),
    ('check', True, False, False), ('check', True, True, True), ('check', False, True, False)])
def test_who_is_notified(mode, changed, fail_on_drift, expected):
    report = _report.build(PLAN, [('fw1', sync_result(['192.0.2.1/32'], changed=changed))], mode == 'check', now=NOW)
    assert _report.should_notify(report, fail_on_drift) is expected


def test_notify_bodies():
    report = _report.build(PLAN, [('fw1', sync_result(['192.0.2.%d/32' % i for i in range(0, 30, 2)]))], False,
                           now=NOW)
    body = _report.notify_body(report, 'json')
    assert body['event'] == 'applied' and body['summary'] == report['summary'] and body['plan'] == report['plan']
    assert len(body['targets'][0]['added']) == _report.NOTIFY_LIST and body['targets'][0]['added_count'] == 15
    assert body['sources'] == [{'label': 'aws eu-west-1', 'origin': 'network', 'count': 2},
                               {'label': 'office', 'origin': 'static', 'count': 1}]
    slack = _report.notify_body(report, 'slack')
    assert slack['text'].startswith('allowlist.egress change applied: 1 of 1 targets changed')
    assert slack['blocks'][1]['text'] == {'type': 'plain_text', 'text': 'fw1 nftables_set egress_v4: 0 -> 15 (+15 -0)'}
    teams = _report.notify_body(report, 'teams')
    card = teams['attachments'][0]
    assert teams['type'] == 'message' and card['contentType'] == 'application/vnd.microsoft.card.adaptive'
    assert card['content']['type'] == 'AdaptiveCard' and card['content']['body'][1]['text'].startswith('fw1 nftables_set')
    drift = _report.build(PLAN, [('fw1', sync_result(['192.0.2.1/32']))], True, now=NOW)
    assert _report.notify_body(drift, 'json')['event'] == 'drift'
    with pytest.raises(EgressError, match="Invalid notify_format 'email'"):
        _report.notify_body(report, 'email')


class _Hook(object):
    def __init__(self, status=200, delay=0, location=None):
        self.requests = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                hook.requests.append((self.path, dict(self.headers),
                                      self.rfile.read(int(self.headers['Content-Length']))))
                time.sleep(delay)
                self.send_response(status)
                if location:
                    self.send_header('Location', location)
                body = b'error at ' + self.path.encode()  # a server that echoes the secret path
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # the client that gave up on a slow answer is expected
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = 'http://127.0.0.1:%d' % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    made = []

    def make(**kwargs):
        made.append(_Hook(**kwargs))
        return made[-1]

    yield make
    for h in made:
        h.close()


def test_post_sends_json_and_reports_success(hook):
    h = hook()
    assert _report.post(h.base + '/services/T1/B2/secrettoken', {'a': 1}, 5) is None
    ((path, headers, body),) = h.requests
    assert path == '/services/T1/B2/secrettoken' and json.loads(body) == {'a': 1}
    assert headers['Content-Type'] == 'application/json' and headers['User-Agent'].startswith('allowlist.egress')


@pytest.mark.parametrize('kwargs, expected', [
    ({'status': 500}, 'HTTP 500'),
    ({'status': 302, 'location': 'http://127.0.0.1:1/elsewhere'}, 'HTTP 302'),
])
def test_post_failures_are_warnings_without_the_secret(hook, kwargs, expected):
    h = hook(**kwargs)
    url = h.base + '/services/T1/B2/secrettoken?sig=querysecret'
    warning = _report.post(url, {'a': 1}, 5)
    assert warning.startswith('Could not notify %s/...: %s' % (h.base, expected))
    assert 'secrettoken' not in warning and 'querysecret' not in warning and len(h.requests) == 1


def test_post_to_a_closed_port_and_a_slow_receiver_warn_within_the_timeout(hook):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    warning = _report.post('http://127.0.0.1:%d/hooks/secrettoken' % port, {}, 5)
    assert warning.startswith('Could not notify http://127.0.0.1:%d/...: ConnectionError' % port)
    assert 'secrettoken' not in warning
    slow = hook(delay=3)
    start = time.monotonic()
    warning = _report.post(slow.base + '/hooks/secrettoken', {}, 0.5)
    assert time.monotonic() - start < 2.5 and warning.startswith('Could not notify') and 'secrettoken' not in warning


def test_post_refuses_other_schemes():
    assert _report.post('file:///etc/passwd', {}, 1) == 'Not notified: notify_url must be an http or https URL'
    assert _report.post(None, {}, 1) == 'Not notified: notify_url must be an http or https URL'


@pytest.mark.parametrize('url', ['https://[hooks.example/services/secrettoken', 'https://hooks.example:99999/secrettoken',
                                 'http://[::1/secrettoken?sig=querysecret', 'https:///secrettoken'])
def test_a_malformed_notify_url_is_a_warning_that_does_not_show_it(url):
    # Before: urlsplit's ValueError escaped post() and failed the report task after the history was appended.
    assert _report.post(url, {}, 1) == 'Not notified: notify_url is not a valid URL'


def test_what_a_feed_or_an_error_says_stays_inside_code_spans():
    plan = json.loads(json.dumps(PLAN))
    plan['sources'][0]['provenance'][0].update(etag='"@all <b>x</b> `y` | [z](https://evil.example)"',
                                               sync_token='1\n## heading')
    report = _report.build(plan, [('fw1', {'failed': True, 'msg': 'bad entry 0.0.0.0/0 @all `x` | y', 'targets': []})],
                           True, now=NOW)
    text = _report.markdown(report)
    assert 'syncToken `1 ## heading`; ETag `"@all <b>x</b> \'y\' \\| [z](https://evil.example)"` |' in text
    assert "- fw1: `bad entry 0.0.0.0/0 @all 'x' \\| y`" in text
    assert '\n## heading' not in text
    outside = re.sub(r'`[^`]*`', '', text)
    assert '@all' not in outside and '<b>' not in outside and '](https://evil' not in outside


def test_slack_text_escapes_what_slack_would_read_as_a_mention():
    result = sync_result(['192.0.2.1/32'])
    result['targets'][0]['object'] = '<!channel>'
    body = _report.notify_body(_report.build(PLAN, [('fw1', result)], False, now=NOW), 'slack')
    assert '<!channel>' not in body['text'] and '&lt;!channel&gt;' in body['text']
    assert body['blocks'][0]['text']['type'] == 'plain_text'
