# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The history of egress_sync: one JSON line per target an applied run changed, appended under a lock, never rewritten.

It answers "what changed, and when": per source, the addresses it added and removed, and the publisher's version
markers (syncToken, ETag) before and after. Schema: docs/plan-report.md.
"""

from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.allowlist.egress.plugins.module_utils import _files, _report
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

SCHEMA = 'allowlist.egress/history/1'
LOCK_TIMEOUT = 60


def records(report):
    """The lines an applied run appends: one per changed target; none for a check-mode run or a run without change."""
    if report['mode'] != 'apply':
        return []
    # The run's id: its report with its time, so a later run that makes the very same change is another run.
    run = hashlib.sha256(('%s %s' % (report['generated_at'], _report.digest(report))).encode('utf-8')).hexdigest()
    sources = [dict(label=s['label'], type=s['type'], origin=s['origin'], count=s['count'], digest=s['digest'],
                    documents=s['documents']) for s in report['sources']]
    return [dict(schema=SCHEMA, time=report['generated_at'], run=run, plan_digest=report['plan']['digest'],
                 host=t['host'], backend=t['backend'], object=t['object'], family=t['family'],
                 before_count=t['before_count'], after_count=t['after_count'], added_count=t['added_count'],
                 removed_count=t['removed_count'], added=t['added'], removed=t['removed'],
                 lists_truncated=t['lists_truncated'], sources=sources)
            for t in report['targets'] if t['changed']]


def _path(path):
    """A relative path is relative to where ansible-playbook runs (a CI job's checkout)."""
    if not isinstance(path, str) or not path:
        raise EgressError('Invalid history %r: a file path' % (path,))
    return os.path.abspath(os.path.expanduser(path))


def append(path, lines, timeout=LOCK_TIMEOUT):
    """Append `lines` (dicts) to the JSONL file at `path`, all in one write under an exclusive lock; return how many.

    O_APPEND and the lock make concurrent runs' records whole lines, never interleaved; nothing is ever rewritten.
    """
    if not lines:
        return 0
    path = _path(path)
    data = ''.join(json.dumps(line, sort_keys=True, separators=(',', ':')) + '\n' for line in lines).encode('utf-8')
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
        with _files.lock(path + '.lock', timeout):
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                # A line cut short by a crash is completed by a newline first, so the next record stays readable.
                size = os.fstat(fd).st_size
                if size and not _ends_with_newline(path, size):
                    data = b'\n' + data
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            finally:
                os.close(fd)
    except (IOError, OSError) as error:
        raise EgressError('Cannot append to the history %s: %s' % (path, error))
    return len(lines)


def _ends_with_newline(path, size):
    with open(path, 'rb') as f:
        f.seek(size - 1)
        return f.read(1) == b'\n'


def read(path, warn=None):
    """Every record of the history, oldest first; a line that is not a record is skipped with a warning."""
    path = _path(path)
    result = []
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if not isinstance(record, dict) or record.get('schema') != SCHEMA:
                    if warn:
                        warn('%s line %d is not a history record; skipped' % (path, number))
                    continue
                problem = _shape_problem(record)
                if problem:
                    if warn:
                        warn('%s line %d is not a valid history record (%s); skipped' % (path, number, problem))
                    continue
                result.append(record)
    except (IOError, OSError) as error:
        if getattr(error, 'errno', None) == 2:
            return []
        raise EgressError('Cannot read the history %s: %s' % (path, error))
    return result


def _shape_problem(record):
    """What makes a parsed line unusable by changes_by_source(), or None.

    The file is only as trustworthy as whoever can write it: a line of the right schema but the wrong shape (a
    hand edit, another tool) must be skipped, not crash every later read.
    """
    for key in ('run', 'time'):
        if record.get(key) is not None and not isinstance(record[key], str):
            return '%s is not a string' % key
    sources = record.get('sources')
    if sources is not None and not isinstance(sources, list):
        return 'sources is not a list'
    for source in sources or []:
        if not isinstance(source, dict) or not isinstance(source.get('label'), str):
            return 'a source is not an object with a label'
        documents = source.get('documents')
        if documents is not None and (not isinstance(documents, list)
                                      or not all(isinstance(d, dict) for d in documents)):
            return 'the documents of source %r are not a list of objects' % source['label'][:80]
    for key in ('added', 'removed'):
        changes = record.get(key)
        if changes is not None and not isinstance(changes, list):
            return '%s is not a list' % key
        for change in changes or []:
            if not isinstance(change, dict) or not isinstance(change.get('address'), str):
                return 'an entry of %s is not an object with an address' % key
    return None


def _version(source):
    """A source's version markers in a record: its documents' syncToken (or ETag, ...), else its digest."""
    marks = []
    for doc in source.get('documents') or []:
        for key, name in (('sync_token', 'syncToken'), ('etag', 'ETag'), ('last_modified', 'Last-Modified'),
                          ('recorded', 'recorded')):
            if doc.get(key):
                marks.append('%s %s' % (name, doc[key]))
                break
    return ', '.join(marks) if marks else 'digest %s' % (source.get('digest') or '?')[:12]


def changes_by_source(history):
    """Per source and run, what the history says changed: [{source, origin, time, added, removed, before, after, line}].

    A run that changed several targets counts each address once per source. `before` is the source's version in the
    previous run that recorded it, None for its first.
    """
    runs, order = {}, []
    for record in history:
        key = record.get('run') or record.get('time')
        if key not in runs:
            runs[key] = dict(time=record.get('time'), records=[])
            order.append(key)
        runs[key]['records'].append(record)
    last_version, result = {}, []
    for key in order:
        run = runs[key]
        sources = {}
        for record in run['records']:
            for source in record.get('sources') or []:
                sources.setdefault(source['label'], source)
        for label, source in sources.items():
            added = set(c['address'] for r in run['records'] for c in r.get('added') or [] if c.get('source') == label)
            removed = set(c['address'] for r in run['records'] for c in r.get('removed') or []
                          if c.get('source') == label)
            version = _version(source)
            before = last_version.get(label)
            last_version[label] = version
            if not added and not removed:
                continue
            when = (run['time'] or '?').replace('T', ' ').replace('Z', ' UTC')
            line = '%s (%s): +%d -%d on %s' % (label, source.get('origin'), len(added), len(removed), when)
            line += ' from %s to %s' % (before, version) if before and before != version else ' (%s)' % version
            result.append(dict(source=label, origin=source.get('origin'), time=run['time'], added=sorted(added),
                               removed=sorted(removed), before=before, after=version, line=line))
    return result
