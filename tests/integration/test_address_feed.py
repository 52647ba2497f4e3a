# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.address_feed through ansible-playbook, and as two targets of the egress_sync pipeline."""

from __future__ import annotations

import json
import os

from tests.conftest import ROOT

SYNC = os.path.join(ROOT, 'playbooks', 'sync.yml')


def feed_task(name, path, fmt, addresses, **extra):
    args = dict(path=str(path), format=fmt, addresses=addresses)
    args.update(extra)
    return {'name': name, 'allowlist.egress.address_feed': args, 'ignore_errors': True}


def test_check_diff_apply_no_change_and_guards(ansible, tmp_path):
    feeds = tmp_path / 'feeds'
    feeds.mkdir()
    path = feeds / 'edl.txt'
    entries = [{'address': '192.0.2.0/24', 'comment': 'partner A'}, '198.51.100.7', '2001:db8::/48']
    results, proc = ansible.playbook([feed_task('plan', path, 'paloalto_edl', entries)], check=True, diff=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['plan']['changed'] and os.listdir(str(feeds)) == []
    assert '+192.0.2.0/24  # partner A' in proc.stdout  # the diff, as a reviewer reads it

    results, proc = ansible.playbook([
        feed_task('apply', path, 'paloalto_edl', entries),
        feed_task('again', path, 'paloalto_edl', entries),
        feed_task('shrink', path, 'paloalto_edl', ['198.51.100.7']),
        feed_task('balloon', path, 'paloalto_edl', entries + ['203.0.113.0/24'], max_additions='10'),
        feed_task('newline', path, 'paloalto_edl', [{'address': '203.0.113.9', 'comment': 'x\n10.0.0.0/8'}]),
        feed_task('too many', path, 'paloalto_edl', entries, max_entries=2),
        feed_task('anywhere', path, 'paloalto_edl', entries + ['0.0.0.0/0'], max_removals='100%'),
        feed_task('gathered', path, 'paloalto_edl', [], state='gathered'),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['apply']['changed'] and results['apply']['count'] == 3
    assert path.read_text() == '192.0.2.0/24 partner A\n198.51.100.7/32\n2001:db8::/48\n'
    meta = json.loads((feeds / 'edl.txt.meta.json').read_text())
    assert meta['count'] == 3 and meta['sha256'] == results['apply']['sha256']
    assert not results['again']['changed']
    assert results['shrink']['_status'] == 'failed' and 'Refusing to remove 256 of 257 IPv4' in results['shrink']['msg']
    assert results['balloon']['_status'] == 'failed' and 'Refusing to add 256 IPv4' in results['balloon']['msg']
    assert results['newline']['_status'] == 'failed' and 'Invalid comment' in results['newline']['msg']
    assert results['too many']['_status'] == 'failed' and 'more than max_entries=2' in results['too many']['msg']
    assert results['anywhere']['_status'] == 'failed' and '0.0.0.0/0' in results['anywhere']['msg']
    assert results['gathered']['gathered'][0] == {'address': '192.0.2.0/24', 'comment': 'partner A'}
    # Every refused run left the file as the first apply wrote it.
    assert path.read_text() == '192.0.2.0/24 partner A\n198.51.100.7/32\n2001:db8::/48\n'
    assert sorted(os.listdir(str(feeds))) == ['edl.txt', 'edl.txt.meta.json']


def test_one_plan_into_two_feed_files_of_two_formats(ansible, tmp_path):
    feeds = tmp_path / 'feeds'
    feeds.mkdir()
    extra = {
        'egress_sync_hosts': 'localhost', 'ansible_become': False,
        'egress_sync_sources': [
            {'type': 'static', 'addresses': ['192.0.2.0/25', '2001:db8::/48'], 'comment': 'partner A'},
            {'type': 'static', 'addresses': ['198.51.100.7'], 'comment': 'OutSystems VPN range'},
        ],
        'egress_sync_targets': [
            {'backend': 'address_feed', 'path': str(feeds / 'edl.txt'), 'format': 'paloalto_edl'},
            {'backend': 'address_feed', 'path': str(feeds / 'fortigate.txt'), 'format': 'fortinet'},
        ],
    }
    results, proc = ansible.run_playbook(SYNC, extra_vars=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    synced = [r['result'] for r in ansible.last_results if r['task'].endswith('Sync the plan into every target')][0]
    assert [(t['backend'], t['object']) for t in synced['targets']] == [
        ('address_feed', str(feeds / 'edl.txt')), ('address_feed', str(feeds / 'fortigate.txt'))]
    assert len(set(t['plan_digest'] for t in synced['targets'])) == 1
    assert (feeds / 'edl.txt').read_text() == (
        '192.0.2.0/25 partner A\n198.51.100.7/32 OutSystems VPN range\n2001:db8::/48 partner A\n')
    assert (feeds / 'fortigate.txt').read_text() == '192.0.2.0/25\n198.51.100.7/32\n2001:db8::/48\n'
    results, proc = ansible.run_playbook(SYNC, extra_vars=extra)
    assert proc.returncode == 0 and 'changed=0' in proc.stdout, proc.stdout
