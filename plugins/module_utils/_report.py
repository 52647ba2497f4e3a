# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report of an egress_sync run: plan.json (data), plan.md (a merge-request comment), drift, webhook bodies.

One report per run, for every host's targets, built on the controller from the plan (egress_plan) and each host's
sync_targets result. Schema: docs/plan-report.md and docs/plan-report.schema.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.parse

from ansible_collections.allowlist.egress.plugins.module_utils import _files
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils._http import Deadline, iso_time, new_session, redact_url, scrub, url_secrets

SCHEMA = 'allowlist.egress/plan-report/1'
# A list of more changes than this is folded into <details>, so a 5,000-line change stays readable in a comment.
FOLD_AFTER = 10
# plan.md lists at most this many changes in all (at least MIN_ROWS per target), the rest being counted: a GitHub
# comment takes 65,536 characters. plan.json lists them all (up to the role's egress_sync_report_list_limit).
MAX_ROWS = 1000
MIN_ROWS = 20
# Webhook bodies carry at most this many addresses per target and direction: a summary, not the plan.
NOTIFY_LIST = 10
NOTIFY_FORMATS = ('json', 'slack', 'teams')
# The publishers' version markers a source document may carry, in the order a report prefers them.
VERSION_KEYS = ('sync_token', 'etag', 'last_modified', 'create_date', 'recorded', 'digest')
_DOCUMENT_KEYS = ('source', 'url', 'final_url', 'origin', 'fetched_at', 'etag', 'last_modified', 'sync_token',
                  'create_date', 'recorded', 'count')


def _document(provenance):
    """One fetched document of a source, with every URL redacted again (the fetcher did already: belt and braces)."""
    doc = dict((k, provenance[k]) for k in _DOCUMENT_KEYS if provenance.get(k) is not None)
    for key in ('url', 'final_url'):
        if key in doc:
            doc[key] = redact_url(str(doc[key]))
    return doc


def source_entry(source):
    """A source of the plan (egress_plan's plan.sources[]) as the report states it."""
    return dict(label=source['label'], type=source['type'], origin=source['origin'], count=source['count'],
                digest=source.get('digest'), documents=[_document(p) for p in source.get('provenance') or []])


def _changes(addresses, sources):
    sources = list(sources or [])
    return [dict(address=a, source=sources[i] if i < len(sources) else None) for i, a in enumerate(addresses or [])]


def target_entry(host, summary, check_mode):
    """One target object of one host (a sync_targets summary) as the report states it."""
    changed = bool(summary.get('changed'))
    return dict(
        host=host, backend=summary['backend'], object=summary['object'], family=summary.get('family'),
        status=('drift' if check_mode else 'changed') if changed else 'unchanged', changed=changed,
        before_count=summary.get('before_count'), after_count=summary.get('after_count'),
        added_count=summary.get('added_count') or 0, removed_count=summary.get('removed_count') or 0,
        added=_changes(summary.get('added'), summary.get('added_sources')),
        removed=_changes(summary.get('removed'), summary.get('removed_sources')),
        lists_truncated=bool(summary.get('lists_truncated')), guards=list(summary.get('guards') or []))


def build(plan, host_results, check_mode, now=None):
    """The report as data (plan.json): `plan` is egress_plan's result, `host_results` [(host, sync_targets result)].

    A host whose sync failed is listed under failures with its message (a guard's refusal says why), beside the
    targets it synced before the failure.
    """
    now = time.time() if now is None else now
    targets, failures = [], []
    for host, result in host_results:
        if not isinstance(result, dict):
            failures.append(dict(host=host, msg='no result: the host did not reach the sync (unreachable or failed '
                                                'before it)'))
            continue
        for summary in result.get('targets') or []:
            targets.append(target_entry(host, summary, check_mode))
        if result.get('failed'):
            failures.append(dict(host=host, msg=str(result.get('msg') or 'failed')))
        elif result.get('skipped'):
            failures.append(dict(host=host, msg='skipped'))
    changed = [t for t in targets if t['changed']]
    report = dict(
        schema=SCHEMA, generated_at=iso_time(now), mode='check' if check_mode else 'apply',
        plan=dict(digest=plan['digest'], ipv4_count=plan.get('ipv4_count'), ipv6_count=plan.get('ipv6_count')),
        sources=[source_entry(s) for s in plan.get('sources') or []],
        targets=targets, failures=failures)
    report['summary'] = dict(
        targets=len(targets), changed=len(changed), failed=len(failures),
        drifted=[target_name(t) for t in changed] if check_mode else [],
        added=sum(t['added_count'] for t in changed), removed=sum(t['removed_count'] for t in changed),
        text=summary_text(report, changed))
    return report


def target_name(target):
    return '%s: %s %s' % (target['host'], target['backend'], target['object'])


def summary_text(report, changed=None):
    changed = [t for t in report['targets'] if t['changed']] if changed is None else changed
    verb = 'would change' if report['mode'] == 'check' else 'changed'
    if changed:
        text = '%d of %d targets %s (plan %s): %s' % (
            len(changed), len(report['targets']), verb, report['plan']['digest'][:12],
            '; '.join('%s +%d -%d' % (target_name(t), t['added_count'], t['removed_count']) for t in changed))
    else:
        text = 'No change in %d targets (plan %s)' % (len(report['targets']), report['plan']['digest'][:12])
    if report['failures']:
        text += '; %d hosts failed: %s' % (len(report['failures']), ', '.join(f['host'] for f in report['failures']))
    return text


def digest(report):
    """A digest of the report without its time: two runs that found the same thing have the same one."""
    data = dict((k, v) for k, v in report.items() if k != 'generated_at')
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(',', ':'), default=str).encode('utf-8')).hexdigest()


# -- Markdown -----------------------------------------------------------------------------------------------

_MD_SPECIAL = '\\`*_[]|~'


def md(value):
    """Plain text for a Markdown table cell: nothing in a feed's ETag or a comment can become a link, an image,
    a heading, a new cell or HTML in a merge request."""
    if value is None or value == '':
        return '-'
    text = ' '.join(str(value).split())
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    return ''.join('\\' + c if c in _MD_SPECIAL else c for c in text)


def code(value):
    """A value from a feed or an error (an ETag, a URL, a message) as a code span: a mention such as @all, a link or
    HTML in it stays text; a backtick cannot close the span and a pipe cannot end the cell."""
    if value is None or value == '':
        return '-'
    return '`%s`' % ' '.join(str(value).split()).replace('`', "'").replace('|', '\\|')


def _count(value):
    return '?' if value is None else str(value)


def _version(doc):
    """The publisher's version markers of a document: syncToken and ETag (else Last-Modified), or a snapshot's date."""
    marks = ['%s %s' % (name, code(doc[key])) for key, name in (('sync_token', 'syncToken'), ('etag', 'ETag'))
             if doc.get(key)]
    if not marks:
        marks = ['%s %s' % (name, code(doc[key])) for key, name in (('last_modified', 'Last-Modified'),
                                                                    ('recorded', 'recorded')) if doc.get(key)][:1]
    return '; '.join(marks) or '-'


def _change_rows(target, max_rows):
    rows = [('+', c) for c in target['added']] + [('-', c) for c in target['removed']]
    shown = rows[:max_rows]
    lines = ['| | address | source |', '| --- | --- | --- |']
    # A source is a comment the target held (for a removal): anyone who can write the set or the Atlas list chose
    # it, so it is shown as code, where a mention or a link stays text.
    # No source: an addition spans two sources (its prefix covers entries of both); a removal's comment was not
    # stored (firewalld ipsets, feeds without comments) or differed within the prefix, so which source it was is unknown.
    lines.extend('| %s | %s | %s |' % (sign, md(c['address']), code(c['source']) if c['source'] else
                                       '(several)' if sign == '+' else '(unknown)')
                 for sign, c in shown)
    more = target['added_count'] + target['removed_count'] - len(shown)
    if more > 0:
        lines.append('| | %d more not listed%s | |' % (more, ' here, see plan.json' if len(rows) > len(shown) else ''))
    return shown, lines


def _guard_lines(guards):
    if not guards:
        return []
    lines = ['', '| guard | family | value | addresses before | changing | limit | verdict |',
             '| --- | --- | --- | --- | --- | --- | --- |']
    for g in guards:
        lines.append('| %s | %s | %s | %s | %s | %s | %s |' % (
            g['guard'], 'IPv%s' % g['family'] if g.get('family') else '-', md(g.get('value')),
            _count(g.get('before')) if g.get('family') else '-', _count(g.get('changed')) if g.get('family') else '-',
            _count(g.get('limit')) if g.get('family') else '-', g['verdict']))
    return lines


def markdown(report):
    """plan.md: a merge-request comment, as is."""
    check = report['mode'] == 'check'
    plan = report['plan']
    out = ['## allowlist.egress %s: %s' % ('plan' if check else 'sync', md(report['summary']['text'])), '']
    out.append('Plan `%s` with %s IPv4 and %s IPv6 entries; %s at %s.' % (
        plan['digest'][:12], _count(plan['ipv4_count']), _count(plan['ipv6_count']),
        'check mode, nothing was changed' if check else 'applied', report['generated_at']))
    out.append('')
    if report['failures']:
        out.append('**Failed**:')
        out.append('')
        out.extend('- %s: %s' % (md(f['host']), code(f['msg'])) for f in report['failures'])
        out.append('')
    out.append('### Targets')
    changing = sum(1 for t in report['targets'] if t['added'] or t['removed'])
    max_rows = max(MIN_ROWS, MAX_ROWS // max(1, changing))
    for target in report['targets']:
        out.extend(['', '#### %s %s on %s' % (md(target['backend']), md(target['object']), md(target['host'])), ''])
        out.append('| host | object | before → after | added | removed | status |')
        out.append('| --- | --- | --- | --- | --- | --- |')
        out.append('| %s | %s %s | %s → %s | +%d | −%d | %s |' % (
            md(target['host']), md(target['backend']), md(target['object']), _count(target['before_count']),
            _count(target['after_count']), target['added_count'], target['removed_count'], target['status']))
        rows, lines = _change_rows(target, max_rows)
        if rows:
            out.append('')
            if len(rows) > FOLD_AFTER:
                out.extend(['<details><summary>%d added, %d removed</summary>' % (
                    target['added_count'], target['removed_count']), ''] + lines + ['', '</details>'])
            else:
                out.extend(lines)
        out.extend(_guard_lines(target['guards']))
    out.extend(['', '### Sources', '', '| source | type | origin | addresses | URL | fetched | version |',
                '| --- | --- | --- | --- | --- | --- | --- |'])
    for source in report['sources']:
        docs = source['documents'] or [{}]
        for doc in docs:
            out.append('| %s | %s | %s | %d | %s | %s | %s |' % (
                md(source['label']), md(source['type']), md(doc.get('origin', source['origin'])), source['count'],
                code(doc.get('url')), md(doc.get('fetched_at')), _version(doc)))
    out.append('')
    return '\n'.join(out)


def write(report, directory):
    """Write plan.json and plan.md into `directory` (created if missing), each atomically; return their paths."""
    directory = os.path.abspath(os.path.expanduser(directory))
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
        paths = (os.path.join(directory, 'plan.json'), os.path.join(directory, 'plan.md'))
        _files.write_atomic(paths[0], json.dumps(report, indent=2, sort_keys=True) + '\n')
        _files.write_atomic(paths[1], markdown(report))
    except (IOError, OSError) as error:
        raise EgressError('Cannot write the plan report in %s: %s' % (directory, error))
    return paths


# -- drift and notifications ----------------------------------------------------------------------------------

def drift_message(report):
    drifted = report['summary']['drifted']
    return ('Drift: %d targets differ from their sources (nothing was changed): %s'
            % (len(drifted), '; '.join('%s +%d -%d' % (target_name(t), t['added_count'], t['removed_count'])
                                       for t in report['targets'] if t['changed'])))


def should_notify(report, fail_on_drift):
    """An applied change, or drift found with fail_on_drift; a plain check-mode plan notifies nobody."""
    if report['mode'] == 'apply':
        return report['summary']['changed'] > 0
    return bool(fail_on_drift and report['summary']['drifted'])


def _slack_escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def notify_body(report, fmt):
    """The JSON body for a webhook in `fmt` (json, slack or teams): the report's summary part."""
    event = 'drift' if report['mode'] == 'check' else 'applied'
    targets = [dict(host=t['host'], backend=t['backend'], object=t['object'], before_count=t['before_count'],
                    after_count=t['after_count'], added_count=t['added_count'], removed_count=t['removed_count'],
                    added=[c['address'] for c in t['added'][:NOTIFY_LIST]],
                    removed=[c['address'] for c in t['removed'][:NOTIFY_LIST]])
               for t in report['targets'] if t['changed']]
    title = 'allowlist.egress %s: %s' % ('drift' if event == 'drift' else 'change applied', report['summary']['text'])
    if fmt == 'json':
        return dict(event=event, schema=SCHEMA, generated_at=report['generated_at'], plan=report['plan'],
                    summary=report['summary'], targets=targets,
                    sources=[dict(label=s['label'], origin=s['origin'], count=s['count']) for s in report['sources']])
    lines = ['%s %s %s: %s -> %s (+%d -%d)' % (t['host'], t['backend'], t['object'], _count(t['before_count']),
                                               _count(t['after_count']), t['added_count'], t['removed_count'])
             for t in targets]
    if fmt == 'slack':
        # Slack incoming webhook: `text` is the notification's fallback, `blocks` what the channel shows. Slack reads
        # <...> in `text` as a link or a mention (<!channel>): &, < and > are escaped as its docs ask.
        return dict(text=_slack_escape(title), blocks=[
            dict(type='section', text=dict(type='plain_text', text=title[:3000])),
            dict(type='section', text=dict(type='plain_text', text=('\n'.join(lines) or 'no target changed')[:3000]))])
    if fmt == 'teams':
        # Teams Workflows webhook: a message with an Adaptive Card attachment.
        return dict(type='message', attachments=[dict(
            contentType='application/vnd.microsoft.card.adaptive', contentUrl=None,
            content={'$schema': 'http://adaptivecards.io/schemas/adaptive-card.json', 'type': 'AdaptiveCard',
                     'version': '1.4', 'body': [dict(type='TextBlock', text=title, weight='Bolder', wrap=True)]
                     + [dict(type='TextBlock', text=line, wrap=True) for line in lines]})])
    raise EgressError('Invalid notify_format %r: use one of %s' % (fmt, ', '.join(NOTIFY_FORMATS)))


def url_shown(url):
    """What a message may say of a webhook URL: its scheme and host only (Slack's and Teams' secret is the path)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or '?'
        return '%s://%s%s/...' % (parts.scheme, host, ':%d' % parts.port if parts.port else '')
    except ValueError:
        return 'the webhook URL'


def _secrets(url):
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return [url]
    found = [url, parts.path, parts.query] + url_secrets(url) + [p for p in parts.path.split('/') if len(p) >= 4]
    return sorted(set(s for s in found if s), key=len, reverse=True)


def post(url, body, timeout, session=None):
    """POST `body` as JSON to a webhook; return None, or a warning that never shows the URL's path or query.

    `timeout` (seconds) bounds the whole request.

    No redirect is followed: a webhook that answers 3xx is misconfigured, and following it would send the plan
    elsewhere.
    """
    if not isinstance(url, str):
        return 'Not notified: notify_url must be an http or https URL'
    try:
        # The port is read here too: urlsplit() accepts `host:99999` and `.port` raises later.
        parts = urllib.parse.urlsplit(url)
        parts.port  # pylint: disable=pointless-statement
    except ValueError:
        # The message never repeats the URL: a webhook's secret is in it.
        return 'Not notified: notify_url is not a valid URL'
    if parts.scheme not in ('http', 'https'):
        return 'Not notified: notify_url must be an http or https URL'
    if not parts.hostname:
        return 'Not notified: notify_url is not a valid URL'
    shown = url_shown(url)
    try:
        session = session or new_session()
        # `timeout` bounds the whole request (a receiver that drips its answer too), not each read.
        with Deadline(timeout):
            response = session.post(url, data=json.dumps(body).encode('utf-8'), timeout=timeout,
                                    allow_redirects=False, headers={'Content-Type': 'application/json'})
            text = response.text
    except Exception as error:  # any failure to notify is a warning, never a failed sync
        return 'Could not notify %s: %s' % (shown, scrub('%s: %s' % (type(error).__name__, error), _secrets(url)))
    if not 200 <= response.status_code < 300:
        return 'Could not notify %s: HTTP %d %s' % (shown, response.status_code,
                                                    scrub(' '.join((text or '')[:200].split()), _secrets(url)))
    return None
