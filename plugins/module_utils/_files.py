# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Files the collection writes: atomically (temporary file, fsync, rename), and locks serialising runs.

Used for `persist` files, lock files and the fetch cache, so that a crash or a full disk never leaves half a
file where a whole one was.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import stat
import tempfile
import time

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


@contextlib.contextmanager
def lock(path, timeout, create=True):
    """Serialise runs against one address object across processes (flock on `path`).

    With create=false (check mode, which writes nothing) a missing lock file means no run holds it, and an
    existing one is only waited for, with a shared lock.
    """
    if not create:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except (IOError, OSError) as exc:
            if exc.errno != errno.ENOENT:
                raise EgressError('Cannot open the lock file %s: %s' % (path, exc))
            yield
            return
        operation = fcntl.LOCK_SH
    else:
        fd = _open_lock_file(path)
        operation = fcntl.LOCK_EX
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, operation | fcntl.LOCK_NB)
                break
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise EgressError('Timed out after %ss waiting for the lock %s: another run is syncing the same '
                                      'address object' % (timeout, path))
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _open_lock_file(path):
    """Open (or create) a lock file as root would safely do it under a world-writable /run/lock.

    The directory must be ours (or root's) and the file no symlink: otherwise a local user could make a
    root-run sync create files where they point.
    """
    if not os.path.isabs(path):
        raise EgressError('Invalid lock_file %r: use an absolute path' % (path,))
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o755, exist_ok=True)
    info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode) or info.st_uid not in (0, os.geteuid()):
        raise EgressError('Refusing the lock directory %s: it is %s; remove it, or set lock_file elsewhere'
                          % (directory, 'a symlink' if stat.S_ISLNK(info.st_mode) else 'owned by uid %d' % info.st_uid))
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except (IOError, OSError) as exc:
        if exc.errno == errno.ELOOP:
            raise EgressError('Refusing the lock file %s: it is a symlink' % path)
        raise EgressError('Cannot open the lock file %s: %s' % (path, exc))


def check_private_directory(directory, what):
    """Refuse a directory that another local user could plant files or symlinks in.

    A symlink there, named as the file we are about to write, would make a root-run task overwrite the file it
    points to; so the directory (a symlink's target) must be ours (or root's) and writable by its owner only.
    """
    info = os.stat(directory)
    if info.st_uid not in (0, os.geteuid()):
        problem = 'owned by uid %d' % info.st_uid
    elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        problem = 'writable by other users (mode %04o)' % stat.S_IMODE(info.st_mode)
    else:
        return
    raise EgressError('Refusing the %s %s: it is %s; use a directory only you can write to' % (what, directory, problem))


# File names are at most 255 bytes (NAME_MAX); an nft table and set name may each be 255 characters.
LOCK_NAME_MAX = 200


def default_lock_path(*parts):
    """A lock file per address object, e.g. /run/lock/allowlist.egress/nftables_set.inet.filter.allow.lock.

    A name too long for a file name keeps a readable start and ends in the SHA-256 of the whole name.
    """
    base = '/run/lock' if os.path.isdir('/run/lock') and os.access('/run/lock', os.W_OK) else tempfile.gettempdir()
    name = '.'.join(re.sub(r'[^A-Za-z0-9_.-]', '_', str(p)) for p in parts)
    if len(name) > LOCK_NAME_MAX:
        digest = hashlib.sha256('\0'.join(str(p) for p in parts).encode('utf-8', 'surrogatepass')).hexdigest()
        name = '%s.%s' % (name[:LOCK_NAME_MAX - len(digest) - 1], digest)
    return os.path.join(base, 'allowlist.egress', name + '.lock')


def read_text(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def persist_target(path, check_mode=False, warn=None):
    """Check a `persist` path before anything changes; return the file to write (a symlink's target).

    The path must be absolute and its directory must exist: a typo must not create a tree that nothing loads.
    Check mode only warns about a missing directory, which an earlier task of the same play may create.
    """
    if not os.path.isabs(path):
        raise EgressError('Invalid persist %r: use an absolute path (the module runs in a temporary directory)' % (path,))
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        if check_mode and not os.path.lexists(directory):
            if warn:
                warn('The directory %s of persist does not exist: a run that is not in check mode fails unless an '
                     'earlier task creates it' % directory)
            return target
        raise EgressError('Invalid persist %r: the directory %s does not exist (create it first)' % (path, directory))
    if os.path.lexists(target) and not os.path.isfile(target):
        raise EgressError('Invalid persist %r: %s exists and is not a regular file' % (path, target))
    return target


def _write_temp(path, content, mode):
    """Write `content` (text or bytes) to a new temporary file next to `path`, flushed to disk; return its path.

    The file gets the owner, group and mode of the file it will replace, or `mode` for a new one. Raises OSError.
    """
    try:
        st = os.stat(path)
    except (IOError, OSError) as exc:
        if exc.errno != errno.ENOENT:
            raise
        st = None
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(content.encode('utf-8') if isinstance(content, str) else content)
            f.flush()
            if st is not None:
                mine = os.fstat(f.fileno())
                if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):  # a no-op chown could still be refused
                    os.fchown(f.fileno(), st.st_uid, st.st_gid)
            os.fchmod(f.fileno(), stat.S_IMODE(st.st_mode) if st is not None else mode)
            os.fsync(f.fileno())
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except (IOError, OSError):
        pass


class PendingFile(object):
    """A file's new content in a temporary file next to it, renamed over it only by commit().

    Keeps the owner, group and mode of the file it replaces (0644 for a new file). A directory that cannot be
    written fails here, before the caller changes anything else.
    """

    def __init__(self, path, content, mode=0o644):
        self.path = path
        self.tmp = None
        try:
            os.stat(path)
        except (IOError, OSError) as exc:
            if exc.errno != errno.ENOENT:
                raise EgressError('Cannot read %s: %s' % (path, exc))
        try:
            self.tmp = _write_temp(path, content, mode)
        except (IOError, OSError) as exc:
            raise EgressError('Cannot write the persist file %s, so nothing was changed: %s' % (path, exc))

    def commit(self):
        os.rename(self.tmp, self.path)
        self.tmp = None

    def discard(self):
        if self.tmp is not None:
            _unlink_quietly(self.tmp)
            self.tmp = None


def write_atomic(path, content, mode=0o644):
    """Replace `path` (a symlink's target) with `content` at once: a reader sees the old or the new file, whole.

    Raises OSError; callers that must not fail on it (a cache) catch it.
    """
    path = os.path.realpath(path)
    tmp = _write_temp(path, content, mode)
    try:
        os.rename(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
