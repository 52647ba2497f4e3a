# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The history: records of applied changes only, appended under a lock by concurrent processes, read per source."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _history, _report
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

from tests.unit.plugins.module_utils.test_report import PLAN, NOW, sync_result


def apply_report(results, plan=PLAN, now=NOW):
    return _report.build(plan, results, check_mode=False, now=now)


def test_records_only_for_applied_changes():
    results = [('fw1', sync_result(['198.51.100.0/28'], ['192.0.2.9/32'])), ('fw2', sync_result(changed=False))]
    assert _history.records(_report.build(PLAN, results, check_mode=True, now=NOW)) == []
    assert _history.records(apply_report([('fw2', sync_result(changed=False))])) == []
    (record,) = _history.records(apply_report(results))
    assert record['schema'] == _history.SCHEMA and record['time'] == '2026-11-18T11:06:40Z'
    assert (record['host'], record['backend'], record['object'], record['plan_digest']) == (
        'fw1', 'nftables_set', 'egress_v4', PLAN['digest'])
    assert record['added'] == [{'address': '198.51.100.0/28', 'source': 'aws eu-west-1'}]
    assert record['removed'] == [{'address': '192.0.2.9/32', 'source': 'office'}]
    assert record['sources'][0]['documents'][0]['sync_token'] == '1700000000'
    assert record['sources'][0]['digest'] == 'cd' * 32
    # The same change made again later is another run; records of one run share its id.
    assert record['run'] != _history.records(apply_report(results, now=NOW + 1))[0]['run']
    both = _history.records(apply_report(results + [('fw3', sync_result(['198.51.100.0/28']))]))
    assert len(both) == 2 and both[0]['run'] == both[1]['run']


def test_append_creates_appends_and_never_rewrites(tmp_path):
    path = str(tmp_path / 'audit' / 'history.jsonl')
    assert _history.append(path, []) == 0 and not os.path.exists(path)
    assert _history.append(path, [{'n': 1}]) == 1
    first = open(path, 'rb').read()
    assert _history.append(path, [{'n': 2}, {'n': 3}]) == 2
    data = open(path, 'rb').read()
    assert data.startswith(first) and [json.loads(line) for line in data.splitlines()] == [{'n': 1}, {'n': 2}, {'n': 3}]


def test_a_line_cut_short_by_a_crash_does_not_swallow_the_next_record(tmp_path):
    path = tmp_path / 'history.jsonl'
    path.write_text('{"n": 1}\n{"n": 2, "cut')
    _history.append(str(path), [{'n': 3}])
    assert path.read_text().splitlines()[-1] == '{"n":3}'


def test_a_relative_path_is_relative_to_the_working_directory_and_an_unwritable_one_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(str(tmp_path))
    _history.append('audit/history.jsonl', [{'n': 1}])
    assert (tmp_path / 'audit' / 'history.jsonl').read_text() == '{"n":1}\n'
    with pytest.raises(EgressError, match="Invalid history ''"):
        _history.append('', [{'n': 1}])
    (tmp_path / 'file').write_text('')
    with pytest.raises(EgressError, match='Cannot append to the history'):
        _history.append(str(tmp_path / 'file' / 'history.jsonl'), [{'n': 1}])


def _writer(path, worker, count):
    for index in range(count):
        # A long line: without the lock and one write per call, lines of several processes could interleave.
        _history.append(path, [{'worker': worker, 'index': index, 'pad': 'x' * 5000}, {'worker': worker, 'index': -index}])


def test_concurrent_appends_from_processes_stay_whole_lines(tmp_path):
    path = str(tmp_path / 'history.jsonl')
    workers = [multiprocessing.Process(target=_writer, args=(path, w, 40)) for w in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lines = [json.loads(line) for line in open(path)]
    assert len(lines) == 6 * 40 * 2
    for w in range(6):
        mine = [(r['index']) for r in lines if r['worker'] == w]
        # Each call's two records are adjacent in the file and the calls of one worker stay in order.
        assert mine == [i for index in range(40) for i in (index, -index)]
    assert all(lines[i]['worker'] == lines[i + 1]['worker'] for i in range(0, len(lines), 2))


def test_read_skips_what_is_not_a_record_and_a_missing_file_is_empty(tmp_path):
    assert _history.read(str(tmp_path / 'none.jsonl')) == []
    path = tmp_path / 'history.jsonl'
    path.write_text('not json\n\n{"schema": "other"}\n%s\n' % json.dumps({'schema': _history.SCHEMA, 'n': 1}))
    warnings = []
    assert _history.read(str(path), warn=warnings.append) == [{'schema': _history.SCHEMA, 'n': 1}]
    assert warnings == ['%s line 1 is not a history record; skipped' % path,
                        '%s line 3 is not a history record; skipped' % path]


def test_read_skips_a_record_of_the_wrong_shape_and_the_rest_still_reads(tmp_path):
    # Valid JSON with the right schema but the wrong shape crashed changes_by_source (egress_history, show.yml).
    good = _history.records(apply_report([('fw1', sync_result(['198.51.100.0/28'], added_sources=['aws eu-west-1']))]))[0]
    bad = [dict(good, sources='aws'), dict(good, sources=[['aws']]), dict(good, sources=[{'type': 'static'}]),
           dict(good, sources=[dict(good['sources'][0], documents='x')]), dict(good, added={'address': 'x'}),
           dict(good, removed=['192.0.2.1/32']), dict(good, added=[{'source': 'aws eu-west-1'}]),
           dict(good, run=['a']), dict(good, time=5)]
    path = tmp_path / 'history.jsonl'
    path.write_text(''.join(json.dumps(r) + '\n' for r in bad + [good]))
    warnings = []
    history = _history.read(str(path), warn=warnings.append)
    assert history == [good]
    assert len(warnings) == len(bad)
    for number, warning in enumerate(warnings, 1):
        assert warning.startswith('%s line %d is not a valid history record (' % (path, number))
        assert warning.endswith('); skipped')
    assert 'sources is not a list' in warnings[0] and 'added is not a list' in warnings[4]
    assert [c['added'] for c in _history.changes_by_source(history)] == [['198.51.100.0/28']]


def _plan_with_token(token, aws_count=2):
    plan = json.loads(json.dumps(PLAN))
    plan['sources'][0]['provenance'][0]['sync_token'] = token
    plan['sources'][0]['count'] = aws_count
    return plan


def test_changes_by_source_per_run_with_the_version_before_and_after():
    first = _history.records(apply_report(
        [('fw1', sync_result(['198.51.100.0/28', '192.0.2.10/32'], added_sources=['aws eu-west-1', 'office'])),
         ('fw2', sync_result(['198.51.100.0/28', '192.0.2.10/32'], added_sources=['aws eu-west-1', 'office']))],
        plan=_plan_with_token('1700000000')))
    second = _history.records(apply_report(
        [('fw1', sync_result(['203.0.113.1/32', '203.0.113.3/32', '203.0.113.5/32'], ['198.51.100.0/28'],
                             removed_sources=['aws eu-west-1']))],
        plan=_plan_with_token('1700086400'), now=NOW + 86400 * 2))
    changes = _history.changes_by_source(first + second)
    assert [c['line'] for c in changes] == [
        'aws eu-west-1 (network): +1 -0 on 2026-11-18 11:06:40 UTC (syncToken 1700000000)',
        'office (static): +1 -0 on 2026-11-18 11:06:40 UTC (digest efefefefefef)',
        'aws eu-west-1 (network): +3 -1 on 2026-11-20 11:06:40 UTC from syncToken 1700000000 to syncToken 1700086400']
    assert changes[2]['added'] == ['203.0.113.1/32', '203.0.113.3/32', '203.0.113.5/32']
    assert changes[2]['removed'] == ['198.51.100.0/28'] and changes[2]['before'] == 'syncToken 1700000000'
    assert _history.changes_by_source([]) == []
    again = _history.records(apply_report([('fw1', sync_result(['198.51.100.0/28'], added_sources=['aws eu-west-1']))],
                                          plan=_plan_with_token('1700000000'), now=NOW + 60))
    assert len(_history.changes_by_source(first + again)) == 3  # a run at another time is another run
