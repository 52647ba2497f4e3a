# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Locks across processes and atomic files (persist files and the fetch cache write through them)."""

from __future__ import annotations

import multiprocessing
import os
import re
import time

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _files
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def _hold(path, ready, seconds):
    with _files.lock(path, 10):
        ready.set()
        time.sleep(seconds)


def test_lock_serialises_processes(tmp_path):
    path = str(tmp_path / 'locks' / 'x.lock')
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold, args=(path, ready, 1.0))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(EgressError, match='Timed out after 0.2s waiting for the lock'):
        with _files.lock(path, 0.2):
            pass
    started = time.monotonic()
    with _files.lock(path, 10):
        assert not holder.is_alive() or time.monotonic() - started > 0.5
    holder.join()


def test_write_atomic_replaces_whole_files(tmp_path):
    (tmp_path / 'd').mkdir()
    path = str(tmp_path / 'd' / 'set.nft')
    _files.write_atomic(path, 'one\n')
    _files.write_atomic(path, 'two\n')
    assert _files.read_text(path) == 'two\n'
    assert os.listdir(str(tmp_path / 'd')) == ['set.nft']
    assert oct(os.stat(path).st_mode & 0o777) == '0o644'
    assert _files.read_text(str(tmp_path / 'missing')) is None


def test_default_lock_path_is_one_file_per_object():
    a = _files.default_lock_path('nftables_set', 'inet', 'filter', 'allow')
    b = _files.default_lock_path('nftables_set', 'inet', 'filter', 'other/../x')
    assert a != b and a.endswith('nftables_set.inet.filter.allow.lock') and '/../' not in b


def test_default_lock_path_of_long_names_fits_a_file_name(tmp_path):
    long_table, long_set = 't' * 255, 's' * 255
    path = _files.default_lock_path('nftables_set', 'inet', long_table, long_set)
    other = _files.default_lock_path('nftables_set', 'inet', long_table, 's' * 254 + 'x')
    name = os.path.basename(path)
    assert len(name.encode('utf-8')) <= 255 and name.startswith('nftables_set.inet.ttt') and path != other
    assert path == _files.default_lock_path('nftables_set', 'inet', long_table, long_set)
    with _files.lock(str(tmp_path / name), 1):
        pass


def test_lock_in_check_mode_creates_nothing_and_waits_for_a_writer(tmp_path):
    path = str(tmp_path / 'locks' / 'x.lock')
    with _files.lock(path, 1, create=False):
        pass
    assert not os.path.exists(str(tmp_path / 'locks'))
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold, args=(path, ready, 1.0))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(EgressError, match='Timed out after 0.2s waiting for the lock'):
        with _files.lock(path, 0.2, create=False):
            pass
    holder.join()


def test_persist_target_rules(tmp_path):
    with pytest.raises(EgressError, match=r"Invalid persist 'allow.nft': use an absolute path"):
        _files.persist_target('allow.nft')
    with pytest.raises(EgressError, match='the directory %s does not exist' % re.escape(str(tmp_path / 'missing'))):
        _files.persist_target(str(tmp_path / 'missing' / 'allow.nft'))
    (tmp_path / 'dir.nft').mkdir()
    with pytest.raises(EgressError, match='exists and is not a regular file'):
        _files.persist_target(str(tmp_path / 'dir.nft'))
    (tmp_path / 'real').mkdir()
    os.symlink(str(tmp_path / 'real' / 'allow.nft'), str(tmp_path / 'link.nft'))
    assert _files.persist_target(str(tmp_path / 'link.nft')) == str(tmp_path / 'real' / 'allow.nft')


def test_pending_file_keeps_owner_and_mode_and_leaves_nothing_when_discarded(tmp_path):
    path = str(tmp_path / 'set.nft')
    _files.write_atomic(path, 'one\n')
    os.chmod(path, 0o640)
    os.chown(path, 1234, 5678)
    pending = _files.PendingFile(path, 'two\n')
    assert os.path.dirname(pending.tmp) == str(tmp_path) and _files.read_text(path) == 'one\n'
    pending.commit()
    st = os.stat(path)
    assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o640, 1234, 5678)
    _files.PendingFile(path, 'three\n').discard()
    assert os.listdir(str(tmp_path)) == ['set.nft'] and _files.read_text(path) == 'two\n'


def test_lock_refuses_symlinks_foreign_directories_and_relative_paths(tmp_path):
    # Under a world-writable /run/lock, a local user must not make a root-run sync create files elsewhere.
    victim = tmp_path / 'victim'
    (tmp_path / 'locks').mkdir()
    os.symlink(str(victim), str(tmp_path / 'locks' / 'set.lock'))
    with pytest.raises(EgressError, match='Refusing the lock file .*set.lock: it is a symlink'):
        with _files.lock(str(tmp_path / 'locks' / 'set.lock'), 1):
            pass
    assert not victim.exists()
    os.symlink(str(tmp_path / 'elsewhere'), str(tmp_path / 'linked-dir'))
    (tmp_path / 'elsewhere').mkdir()
    with pytest.raises(EgressError, match='Refusing the lock directory .*linked-dir: it is a symlink'):
        with _files.lock(str(tmp_path / 'linked-dir' / 'set.lock'), 1):
            pass
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    os.chown(str(foreign), 4321, 4321)
    with pytest.raises(EgressError, match='Refusing the lock directory .*foreign: it is owned by uid 4321'):
        with _files.lock(str(foreign / 'set.lock'), 1):
            pass
    assert os.listdir(str(foreign)) == []
    with pytest.raises(EgressError, match="Invalid lock_file 'relative.lock': use an absolute path"):
        with _files.lock('relative.lock', 1):
            pass


def test_write_atomic_writes_bytes_through_a_symlink_and_keeps_the_link(tmp_path):
    (tmp_path / 'real').mkdir()
    target = tmp_path / 'real' / 'cache.body'
    link = tmp_path / 'link.body'
    os.symlink(str(target), str(link))
    _files.write_atomic(str(link), b'\x00body', mode=0o600)
    assert os.path.islink(str(link)) and target.read_bytes() == b'\x00body'
    assert os.stat(str(target)).st_mode & 0o777 == 0o600
    assert sorted(os.listdir(str(tmp_path / 'real'))) == ['cache.body']


def test_write_atomic_raises_os_errors_and_leaves_no_temporary_file(tmp_path):
    with pytest.raises(OSError):
        _files.write_atomic(str(tmp_path / 'missing' / 'file'), 'text')
    (tmp_path / 'dir').mkdir()
    with pytest.raises(OSError):
        _files.write_atomic(str(tmp_path / 'dir'), 'a directory is not replaced by a file')
    assert sorted(os.listdir(str(tmp_path))) == ['dir'] and os.listdir(str(tmp_path / 'dir')) == []


def test_pending_file_refuses_an_unwritable_directory_before_anything_changes(tmp_path):
    with pytest.raises(EgressError, match='Cannot write the persist file .*, so nothing was changed'):
        _files.PendingFile(str(tmp_path / 'missing' / 'set.nft'), 'one\n')
