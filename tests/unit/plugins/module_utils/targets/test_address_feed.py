# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The address_feed target through the shared contract, on real files: every format, its limits, and files that
someone edited or that were never ours."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _address_feed as feed
from ansible_collections.allowlist.egress.plugins.module_utils.targets._registry import TARGETS

ENTRIES = [{'address': '192.0.2.0/25', 'comment': 'egress_ranges:atlas'},
           {'address': '192.0.2.128-192.0.2.255', 'comment': 'static'},
           {'address': '2001:db8::/48', 'comment': 'egress_ranges:atlas'},
           '198.51.100.7']


def sync(path, fmt, addresses, check_mode=False, diff=False, warn=None, **options):
    params = dict(state='replaced', addresses=addresses, lock_file=str(path) + '.lock', lock_timeout=5)
    shared = ('state', 'max_removals', 'max_additions', 'force', 'entry_comment', 'lock_file', 'return_commands')
    params.update((k, v) for k, v in options.items() if k in shared)
    backend = feed.AddressFeed(str(path), fmt, warn=warn, **dict((k, v) for k, v in options.items() if k not in shared))
    return _address_set.sync(backend, params, check_mode=check_mode, want_diff=diff)


def files(tmp_path):
    return dict((name, (tmp_path / name).read_bytes()) for name in sorted(os.listdir(str(tmp_path)))
                if not name.endswith('.lock'))


EXPECTED = {
    'plain': '192.0.2.0/24\n198.51.100.7/32\n2001:db8::/48\n',
    'fortinet': '192.0.2.0/24\n198.51.100.7/32\n2001:db8::/48\n',
    'paloalto_edl': ('192.0.2.0/25 egress_ranges:atlas\n192.0.2.128/25 static\n198.51.100.7/32\n'
                     '2001:db8::/48 egress_ranges:atlas\n'),
    'opnsense': ('# allowlist.egress address_feed: opnsense feed, 4 entries (3 IPv4, 1 IPv6); written by Ansible, '
                 'edits are refused\n198.51.100.7/32\n# source: egress_ranges:atlas\n192.0.2.0/25\n2001:db8::/48\n'
                 '# source: static\n192.0.2.128/25\n'),
}


@pytest.mark.parametrize('fmt', list(feed.FORMATS))
def test_every_format_is_written_read_back_and_idempotent(tmp_path, fmt):
    path = tmp_path / 'feed'
    result = sync(path, fmt, ENTRIES)
    assert result['changed'] and result['format'] == fmt
    data = path.read_bytes()
    assert b'\r' not in data and data.endswith(b'\n')
    if fmt in EXPECTED:
        assert data.decode() == EXPECTED[fmt]
    meta = json.loads((tmp_path / 'feed.meta.json').read_text())
    assert meta['sha256'] == hashlib.sha256(data).hexdigest() == result['sha256']
    assert (meta['count'], meta['count_ipv4'], meta['count_ipv6'], meta['size']) == (result['count'], result['count'] - 1, 1, len(data))
    # What the file holds, read back through the module's own parser, is the list (sources where the format has them).
    gathered = sync(path, fmt, [], state='gathered')['gathered']
    commented = feed.FORMATS[fmt].style != 'bare'
    assert [g['address'] for g in gathered] == (['192.0.2.0/25', '192.0.2.128/25', '198.51.100.7/32', '2001:db8::/48']
                                                if commented else ['192.0.2.0/24', '198.51.100.7/32', '2001:db8::/48'])
    if commented:
        assert gathered[1]['comment'] == 'static' and gathered[3]['comment'] == 'egress_ranges:atlas'
    before = files(tmp_path)
    stat_before = os.stat(str(path))
    again = sync(path, fmt, ENTRIES)
    assert not again['changed'] and files(tmp_path) == before
    assert os.stat(str(path)).st_mtime_ns == stat_before.st_mtime_ns  # same Last-Modified, same ETag


def test_json_formats_carry_sources_and_provenance_and_the_jq_path(tmp_path):
    sync(tmp_path / 'f.json', 'json', ENTRIES, provenance={'plan_digest': 'abc'})
    document = json.loads((tmp_path / 'f.json').read_text())
    assert document['provenance'] == {'plan_digest': 'abc'} and document['count'] == 4
    assert document['entries'][0] == {'address': '192.0.2.0/25', 'comment': 'egress_ranges:atlas'}
    assert document['entries'][2] == {'address': '198.51.100.7/32'}
    sync(tmp_path / 'cp.json', 'checkpoint_json', ENTRIES)
    # What Check Point's jq query ".entries[].address" selects:
    assert [e['address'] for e in json.loads((tmp_path / 'cp.json').read_text())['entries']] == [
        '192.0.2.0/25', '192.0.2.128/25', '198.51.100.7/32', '2001:db8::/48']
    with pytest.raises(EgressError, match='provenance is written only by the json'):
        feed.AddressFeed(str(tmp_path / 'x'), 'plain', provenance={'a': 1})
    with pytest.raises(EgressError, match='plain JSON data'):
        feed.AddressFeed(str(tmp_path / 'x'), 'json', provenance={'a': float('nan')})


@pytest.mark.parametrize('comment', ['x\n10.0.0.0/8', 'x\r\n# source: y', 'x\u2028y', 'evil\u202e', 'tab\there'])
@pytest.mark.parametrize('fmt', ['paloalto_edl', 'opnsense', 'json'])
def test_a_comment_can_never_add_a_line(tmp_path, fmt, comment):
    sync(tmp_path / 'feed', fmt, ['192.0.2.1'])
    before = files(tmp_path)
    with pytest.raises(EgressError, match='Invalid comment'):
        sync(tmp_path / 'feed', fmt, [{'address': '192.0.2.1', 'comment': comment}])
    assert files(tmp_path) == before


def test_limits_are_checked_before_writing_with_the_vendor_figure_by_default(tmp_path):
    path = tmp_path / 'edl.txt'
    sync(path, 'paloalto_edl', ['192.0.2.1'])
    before = files(tmp_path)
    # 50,001 single addresses (every other one, so nothing merges): one more than PAN-OS takes.
    many = ['10.%d.%d.%d' % (i >> 15, (i >> 7) & 255, (i & 127) * 2) for i in range(50001)]
    with pytest.raises(EgressError, match='50001 entries, more than max_entries=50000 .paloalto_edl.; nothing was written'):
        sync(path, 'paloalto_edl', many, force=True)
    assert files(tmp_path) == before
    result = sync(path, 'paloalto_edl', many, force=True, max_entries=60000)
    assert result['count'] == 50001 and result['max_entries'] == 60000
    # fortinet: 10 MiB by default; max_size counts bytes of the file.
    with pytest.raises(EgressError, match=r'would be \d+ bytes, more than max_size=100 \(fortinet\)'):
        sync(tmp_path / 'forti.txt', 'fortinet', many[:20], max_size=100)
    assert not (tmp_path / 'forti.txt').exists()
    assert sync(tmp_path / 'forti.txt', 'fortinet', many[:20])['max_size'] == 10 * 1024 * 1024
    assert sync(tmp_path / 'any.txt', 'plain', many[:20], max_entries=0)['max_entries'] is None
    with pytest.raises(EgressError, match='Invalid max_entries -1'):
        feed.AddressFeed(str(tmp_path / 'x'), 'plain', max_entries=-1)


def test_ip_version_refuses_the_other_family_by_name(tmp_path):
    with pytest.raises(EgressError, match=r'IPv4 only \(ip_version=4\).*IPv6, for example 2001:db8::/48'):
        sync(tmp_path / 'feed', 'fortinet', ENTRIES, ip_version='4')
    assert not (tmp_path / 'feed').exists()
    assert sync(tmp_path / 'feed', 'fortinet', ['2001:db8::1'], ip_version='6')['count'] == 1


def test_an_edited_feed_is_refused_or_replaced_with_the_guards_counting_what_it_holds(tmp_path):
    path = tmp_path / 'feed'
    sync(path, 'opnsense', ['192.0.2.0/24'])
    path.write_text(path.read_text() + '203.0.113.0/24\n')  # someone adds a network by hand
    sidecar = (tmp_path / 'feed.meta.json').read_bytes()
    with pytest.raises(EgressError, match='was not written by this module or was edited since .its SHA-256 [0-9a-f]{64} '
                                          'is not the one in .*feed.meta.json.; nothing was changed'):
        sync(path, 'opnsense', ['192.0.2.0/24'])
    with pytest.raises(EgressError, match='edited since'):
        sync(path, 'opnsense', [], state='gathered')
    assert (tmp_path / 'feed.meta.json').read_bytes() == sidecar
    # overwrite: the hand-added /24 counts as removed, so max_removals still protects a feed that someone grew.
    warnings = []
    with pytest.raises(EgressError, match='Refusing to remove 256 of 512 IPv4'):
        sync(path, 'opnsense', ['192.0.2.0/24'], edited='overwrite', max_removals='10%', warn=warnings.append)
    assert 'read as opnsense and replaced' in warnings[0]
    result = sync(path, 'opnsense', ['192.0.2.0/24'], edited='overwrite')
    assert result['changed'] and result['removed'] == ['203.0.113.0/24']
    assert '203.0.113.0' not in path.read_text()
    assert not sync(path, 'opnsense', ['192.0.2.0/24'])['changed']


@pytest.mark.parametrize('content, problem', [
    (b'\xff\xfe garbage', 'is not UTF-8'),
    (b'192.0.2.0/24\r\n', 'line 1: a carriage return'),
    (b'192.0.2.0/24\n0.0.0.0/0 ; widen\n', "line 2: '0.0.0.0/0 ; widen' is not an address"),
    (b'192.0.2.0/24\nexample.com\n', "line 2: 'example.com' is not an address"),
    (b'192.0.2.0/24', 'does not end with a newline'),
])
def test_a_hostile_file_is_a_clear_error_or_with_overwrite_an_empty_feed(tmp_path, content, problem):
    path = tmp_path / 'feed'
    path.write_bytes(content)
    with pytest.raises(EgressError, match='no sidecar'):
        sync(path, 'plain', ['192.0.2.0/24'])
    assert path.read_bytes() == content
    with pytest.raises(EgressError, match=problem):
        feed.parse('plain', content, str(path))
    warnings = []
    result = sync(path, 'plain', ['192.0.2.0/24'], edited='overwrite', warn=warnings.append)
    assert result['changed'] and path.read_bytes() == b'192.0.2.0/24\n'
    assert 'unreadable' in warnings[0] and 'treated as empty and replaced (edited=overwrite)' in warnings[0]


def test_hashed_and_json_parsers_accept_only_what_they_write(tmp_path):
    where = '/srv/feed'
    with pytest.raises(EgressError, match='line 1: .* is not the header'):
        feed.parse('cisco_ftd', b'192.0.2.0/24\n', where)
    with pytest.raises(EgressError, match='line 2: .* is not a line this module writes'):
        feed.parse('cisco_ftd', (feed.HEADER + 'x\n# hello\n').encode(), where)
    with pytest.raises(EgressError, match='is empty'):
        feed.parse('pfsense', b'', where)
    with pytest.raises(EgressError, match='not valid JSON'):
        feed.parse('json', b'{"entries": [', where)
    with pytest.raises(EgressError, match=r'entries\[0\]: an object with "address"'):
        feed.parse('json', b'{"entries": [{"address": "192.0.2.1", "extra": 1}]}', where)
    with pytest.raises(EgressError, match=r"entries\[0\]: '192.0.2.1/24' is not an address"):
        feed.parse('json', b'{"entries": [{"address": "192.0.2.1/24"}]}', where)
    assert feed.parse('paloalto_edl', b'192.0.2.1 a b\n', where) == [((4, 3221225985, 3221225985), 'a b')]


def test_symlinks_fifos_and_directories_at_path_are_refused(tmp_path):
    secret = tmp_path / 'secret'
    secret.write_text('do not overwrite\n')
    os.symlink(str(secret), str(tmp_path / 'link'))
    with pytest.raises(EgressError, match='it is a symlink'):
        sync(tmp_path / 'link', 'plain', ['192.0.2.1'], edited='overwrite')
    assert secret.read_text() == 'do not overwrite\n'
    os.mkfifo(str(tmp_path / 'fifo'))
    with pytest.raises(EgressError, match='not a regular file'):
        sync(tmp_path / 'fifo', 'plain', ['192.0.2.1'], edited='overwrite')
    with pytest.raises(EgressError, match='use an absolute path'):
        feed.AddressFeed('feeds/x.txt', 'plain')


def test_a_crash_between_the_two_renames_still_reads_as_ours(tmp_path):
    path = tmp_path / 'feed'
    sync(path, 'cisco_ftd', ['192.0.2.0/24'])
    old = path.read_bytes()
    sync(path, 'cisco_ftd', ['192.0.2.0/24', '198.51.100.0/24'])
    meta = json.loads((tmp_path / 'feed.meta.json').read_text())
    assert meta['previous_sha256'] == hashlib.sha256(old).hexdigest()
    path.write_bytes(old)  # the sidecar was renamed, the feed not yet
    result = sync(path, 'cisco_ftd', ['192.0.2.0/24', '198.51.100.0/24'])
    assert result['changed'] and result['added'] == ['198.51.100.0/24']


def test_check_mode_diff_states_and_the_removal_guard(tmp_path):
    path = tmp_path / 'feed'
    result = sync(path, 'pfsense', ENTRIES, check_mode=True, diff=True)
    assert result['changed'] and not os.listdir(str(tmp_path))
    assert '192.0.2.128/25  # static' in result['diff']['after']
    sync(path, 'pfsense', ENTRIES)
    before = files(tmp_path)
    with pytest.raises(EgressError, match='Refusing to remove 256 of 257 IPv4'):
        sync(path, 'pfsense', ['198.51.100.7'])
    assert files(tmp_path) == before
    merged = sync(path, 'pfsense', ['203.0.113.9'], state='merged')
    assert merged['added'] == ['203.0.113.9/32'] and merged['after_count'] == 5
    deleted = sync(path, 'pfsense', ['203.0.113.9', '2001:db8::/48'], state='deleted')
    assert deleted['removed'] == ['203.0.113.9/32', '2001:db8::/48'] and deleted['after_count'] == 3
    rendered = sync(path, 'pfsense', ['192.0.2.1'], state='rendered')
    assert rendered['rendered'].endswith('\n192.0.2.1/32\n') and files(tmp_path) == dict(
        files(tmp_path))  # rendered touches nothing
    absent = sync(path, 'pfsense', [], state='absent', check_mode=True)
    assert absent['changed'] and path.exists()
    assert sync(path, 'pfsense', [], state='absent')['changed']
    assert not path.exists() and not (tmp_path / 'feed.meta.json').exists()
    assert not sync(path, 'pfsense', [], state='absent')['changed']


def test_a_missing_directory_fails_and_check_mode_creates_nothing(tmp_path):
    path = tmp_path / 'missing' / 'feed'
    lock = str(tmp_path / 'feed.lock')
    assert sync(path, 'plain', ['192.0.2.1'], check_mode=True, lock_file=lock)['changed']
    with pytest.raises(EgressError, match='the directory .*missing does not exist'):
        sync(path, 'plain', ['192.0.2.1'], lock_file=lock)
    assert not (tmp_path / 'missing').exists()


def test_format_change_rewrites_the_file_read_with_the_format_it_was_written_in(tmp_path):
    path = tmp_path / 'feed'
    sync(path, 'paloalto_edl', ENTRIES)
    result = sync(path, 'opnsense', ENTRIES)
    assert result['changed'] and result['added'] == [] and result['removed'] == []
    assert path.read_text().startswith(feed.HEADER + 'opnsense feed')


def test_registered_for_egress_sync_with_both_families_in_one_file():
    info = TARGETS['address_feed'].TARGET_INFO
    assert info.module == 'allowlist.egress.address_feed' and info.name_option == 'path'
    assert info.family_option is None and not info.persist


def test_a_rewrite_in_the_same_second_still_changes_last_modified_and_the_etag(tmp_path):
    # nginx's ETag is mtime (seconds) and size: 192.0.2.1/32 -> 192.0.2.2/32 keeps the size, so the mtime must move.
    path = tmp_path / 'feed'
    sync(path, 'plain', ['192.0.2.1'])
    first = int(os.stat(str(path)).st_mtime)
    os.utime(str(path), (first + 5, first + 5))  # even a file stamped in the future
    sync(path, 'plain', ['192.0.2.2'], force=True)
    assert path.read_text() == '192.0.2.2/32\n' and int(os.stat(str(path)).st_mtime) == first + 6


@pytest.mark.parametrize('state', ['merged', 'deleted'])
def test_overwrite_refuses_merged_and_deleted_so_a_hostile_entry_is_never_kept(tmp_path, state):
    path = tmp_path / 'feed'
    sync(path, 'plain', ['192.0.2.0/24'])
    sidecar = (tmp_path / 'feed.meta.json').read_bytes()
    path.write_text('192.0.2.0/24\n0.0.0.0/0\n')  # someone widens the feed by hand
    with pytest.raises(EgressError, match='edited=overwrite works only with state=replaced .or absent., not state=%s: '
                                          'for feed file .*feed, the entries of an edited' % state):
        sync(path, 'plain', ['198.51.100.0/24'], state=state, edited='overwrite')
    assert path.read_text() == '192.0.2.0/24\n0.0.0.0/0\n' and (tmp_path / 'feed.meta.json').read_bytes() == sidecar
    # replaced drops the foreign entry and the guard still counts it.
    with pytest.raises(EgressError, match='Refusing to remove'):
        sync(path, 'plain', ['192.0.2.0/24'], edited='overwrite', max_removals='10%')
    result = sync(path, 'plain', ['192.0.2.0/24'], edited='overwrite', max_removals='100%')
    assert '0.0.0.0/1' in result['removed'] and path.read_text() == '192.0.2.0/24\n'


@pytest.mark.parametrize('content', [b'my notes, not JSON\n', b'{"generator": "someone else"}\n',
                                     b'{"generator": "allowlist.egress.address_feed", "file": "other.txt"}\n'])
def test_a_foreign_sidecar_is_refused_and_never_removed(tmp_path, content):
    path, sidecar = tmp_path / 'feed', tmp_path / 'feed.meta.json'
    sidecar.write_bytes(content)
    with pytest.raises(EgressError, match=r'the sidecar .*feed.meta.json was not written by this module.*'
                                          r'it is not a sidecar this module wrote for feed\); nothing was changed'):
        sync(path, 'plain', ['192.0.2.0/24'])
    with pytest.raises(EgressError, match='the sidecar .*feed.meta.json was not written by this module'):
        sync(path, 'plain', [], state='absent')
    assert sidecar.read_bytes() == content and not path.exists()
    # overwrite: absent removes only the feed file, never a sidecar that is not ours.
    path.write_text('192.0.2.0/24\n')
    warnings = []
    result = sync(path, 'plain', [], state='absent', edited='overwrite', warn=warnings.append, return_commands=True)
    assert result['changed'] and result['commands'] == ['remove %s' % path]
    assert not path.exists() and sidecar.read_bytes() == content
    assert not sync(path, 'plain', [], state='absent', edited='overwrite', warn=warnings.append)['changed']
    assert sidecar.read_bytes() == content
    # replaced with overwrite takes the path over, with a warning.
    sync(path, 'plain', ['192.0.2.0/24'], edited='overwrite', warn=warnings.append)
    assert json.loads(sidecar.read_text())['file'] == 'feed' and 'is replaced (edited=overwrite)' in warnings[-1]


def test_a_sidecar_of_another_feed_does_not_vouch_for_this_one(tmp_path):
    sync(tmp_path / 'a', 'plain', ['192.0.2.0/24'])
    (tmp_path / 'b').write_bytes((tmp_path / 'a').read_bytes())
    (tmp_path / 'b.meta.json').write_bytes((tmp_path / 'a.meta.json').read_bytes())
    with pytest.raises(EgressError, match='its sidecar .*b.meta.json is not one this module wrote for it'):
        sync(tmp_path / 'b', 'plain', ['192.0.2.0/24'])


@pytest.mark.parametrize('mode', ['0664', '0646', '0666', '0777', '622'])
def test_a_group_or_world_writable_mode_is_refused(tmp_path, mode):
    with pytest.raises(EgressError, match="Invalid mode '%s': the feed is served to firewalls" % mode):
        feed.AddressFeed(str(tmp_path / 'feed'), 'plain', mode=mode)
    assert feed.AddressFeed(str(tmp_path / 'feed'), 'plain', mode='0640').mode == 0o640
