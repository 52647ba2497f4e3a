# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""address_feed backend: the list as a file that firewall appliances pull over HTTPS.

PAN-OS External Dynamic Lists, FortiGate threat feeds, Check Point Network Feeds, OPNsense / pfSense URL Table
aliases and Cisco Secure Firewall (FTD) Security Intelligence feeds all poll a URL for a text list. This target
writes that file, in the format its consumer documents, atomically (temporary file, fsync, rename), with a sidecar
(`<path>.meta.json`) holding its SHA-256 and counts. The sidecar also tells a file this module wrote from one that
someone edited: an edited file is refused (or, with `edited=overwrite`, read as best it can be and replaced).

Every format is written as canonical CIDRs, IPv4 first, LF line endings, UTF-8; the vendors' rules are in the
module documentation (plugins/modules/address_feed.py), with the pages they come from.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from collections import OrderedDict, namedtuple

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set, _files, _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import AddressError, EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target, TargetInfo

GENERATOR = 'allowlist.egress.address_feed'
HEADER = '# allowlist.egress address_feed: '
SOURCE = '# source: '
MIB = 1024 * 1024
# A file bigger than this is not one we wrote for any consumer (Cisco's 500 MB is the largest documented limit).
READ_MAX = 512 * MIB
EDITED = ('fail', 'overwrite')
IP_VERSIONS = ('4', '6', 'all')

# style: how entries and comments are written (see render()).
#   bare     one CIDR per line, no comments at all
#   inline   "CIDR comment" (the comment after one space)
#   hashed   a header line, then per source a "# source: ..." line and its CIDRs
#   json     a JSON document (ours, and Check Point's JSON feed read with a jq query)
# max_entries, max_size: the consumer's documented limits (None: none documented).
Format = namedtuple('Format', 'name style max_entries max_size')

FORMATS = OrderedDict((f.name, f) for f in (
    Format('plain', 'bare', None, None),
    # PAN-OS: "[IP address, IP/Mask, or IP start range-IP end range] [space] [comment]"; 50,000 IP addresses in
    # all EDLs of most models (150,000 on PA-5000/7000).
    Format('paloalto_edl', 'inline', 50000, None),
    # FortiOS threat feed (IP address): one IP / range / subnet per line, no comment syntax documented; 10 MB or
    # 131,072 entries per feed before 7.4.4 (model-wide limits since).
    Format('fortinet', 'bare', 131072, 10 * MIB),
    # Check Point Network Feed, Flat List: one entry per line, "ignore lines that start with" set to "#".
    Format('checkpoint', 'hashed', None, None),
    # Check Point Network Feed, JSON, with the jq query ".entries[].address".
    Format('checkpoint_json', 'json', None, None),
    # OPNsense URL Table (IPs): the first token of each line (split at whitespace , ; | #); "#" lines are empty.
    Format('opnsense', 'hashed', None, None),
    # pfSense URL Table (IPs): one entry per line, "#" lines ignored.
    Format('pfsense', 'hashed', None, None),
    # Cisco Secure Firewall (FMC/FTD) Security Intelligence feed: one IP or block per line, comment lines start
    # with "#", at most 500 MB.
    Format('cisco_ftd', 'hashed', None, 500 * MIB),
    Format('json', 'json', None, None),
))


def argument_spec():
    spec = _address_set.argument_spec(persist=False)
    spec.update(
        path=dict(type='path', required=True),
        format=dict(type='str', required=True, choices=list(FORMATS)),
        sidecar=dict(type='path'),
        max_entries=dict(type='int'),
        max_size=dict(type='int'),
        ip_version=dict(type='str', default='all', choices=list(IP_VERSIONS)),
        edited=dict(type='str', default='fail', choices=list(EDITED)),
        provenance=dict(type='dict'),
        mode=dict(type='str', default='0644'),
    )
    return spec


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _limit(value, default, name):
    """A limit option: None takes the consumer's documented figure, 0 turns the check off."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EgressError('Invalid %s %r: a number, 0 for no limit' % (name, value))
    return value or None


def _sorted_pairs(pairs):
    return sorted(pairs, key=lambda p: (p[0], p[1] or ''))


def _counts(pairs):
    v4 = sum(1 for prefix, _comment in pairs if prefix[0] == 4)
    return v4, len(pairs) - v4


def render(fmt, pairs, provenance=None):
    """The feed file for `pairs` [((version, network, length), comment)], as text. Deterministic: the same list gives
    the same bytes, so an unchanged feed keeps its ETag and Last-Modified."""
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    pairs = _sorted_pairs(pairs)
    text = _intervals.cidr_text
    if fmt.style == 'bare':
        return ''.join('%s\n' % text(p) for p, _c in pairs)
    if fmt.style == 'inline':
        return ''.join('%s %s\n' % (text(p), c) if c is not None else '%s\n' % text(p) for p, c in pairs)
    v4, v6 = _counts(pairs)
    if fmt.style == 'json':
        document = OrderedDict([
            ('generator', GENERATOR), ('format', fmt.name), ('count', len(pairs)), ('count_ipv4', v4),
            ('count_ipv6', v6)])
        if provenance:
            document['provenance'] = provenance
        document['entries'] = [dict(address=text(p), comment=c) if c is not None else dict(address=text(p))
                               for p, c in pairs]
        return json.dumps(document, indent=1, ensure_ascii=True) + '\n'
    lines = ['%s%s feed, %d entries (%d IPv4, %d IPv6); written by Ansible, edits are refused'
             % (HEADER, fmt.name, len(pairs), v4, v6)]
    groups = OrderedDict()
    for prefix, comment in pairs:
        groups.setdefault(comment, []).append(prefix)
    # Entries without a source first (they need no "# source:" line), then each source in name order.
    for comment in sorted(groups, key=lambda c: (c is not None, c or '')):
        if comment is not None:
            lines.append(SOURCE + comment)
        lines.extend(text(p) for p in groups[comment])
    return '\n'.join(lines) + '\n'


def _address(value, where):
    """One entry of a file we read: an address, CIDR (host bits clear) or range, nothing else."""
    if not isinstance(value, str) or not value or value != value.strip() or ' ' in value:
        raise EgressError('%s: %r is not an address or CIDR' % (where, value))
    try:
        return _intervals.parse(value, strict=True)
    except AddressError as error:
        raise EgressError('%s: %r is not an address or CIDR (%s)' % (where, value, error))


def parse(fmt, data, where):
    """[(interval, comment)] of a feed file's bytes, as this module writes them; anything else is an error naming
    `where` and the line."""
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as error:
        raise EgressError('%s is not UTF-8 text (%s)' % (where, error))
    entries = []
    if fmt.style == 'json':
        try:
            document = json.loads(text)
        except ValueError as error:
            raise EgressError('%s is not valid JSON (%s)' % (where, error))
        items = document.get('entries') if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise EgressError('%s: a JSON object with an "entries" list was expected' % where)
        for index, item in enumerate(items):
            here = '%s entries[%d]' % (where, index)
            if not isinstance(item, dict) or set(item) - set(('address', 'comment')):
                raise EgressError('%s: an object with "address" and an optional "comment" was expected, got %r'
                                  % (here, item))
            comment = item.get('comment')
            if comment is not None and not isinstance(comment, str):
                raise EgressError('%s: the comment %r is not a string' % (here, comment))
            entries.extend((i, comment) for i in _address(item.get('address'), here))
        return entries
    if text and not text.endswith('\n'):
        raise EgressError('%s does not end with a newline: it was cut short or edited' % where)
    comment = None
    for number, line in enumerate(text.split('\n')[:-1] if text else [], 1):
        here = '%s line %d' % (where, number)
        if '\r' in line:
            raise EgressError('%s: a carriage return (CRLF line endings); this module writes LF only' % here)
        if fmt.style == 'hashed':
            if number == 1:
                if not line.startswith(HEADER):
                    raise EgressError('%s: %r is not the header this module writes' % (here, line[:80]))
                continue
            if line.startswith(SOURCE):
                comment = line[len(SOURCE):]
                continue
            if line.startswith('#') or not line:
                raise EgressError('%s: %r is not a line this module writes' % (here, line[:80]))
            entries.extend((i, comment) for i in _address(line, here))
        elif fmt.style == 'inline':
            address, space, rest = line.partition(' ')
            entries.extend((i, rest if space else None) for i in _address(address, here))
        else:
            entries.extend((i, None) for i in _address(line, here))
    if fmt.style == 'hashed' and not text:
        raise EgressError('%s is empty: it has no header line' % where)
    return entries


def _later_than(tmp, path):
    """Give `tmp` a modification time at least one second after `path`'s.

    nginx's ETag is the file's mtime in seconds and its size, and Last-Modified is that mtime: a feed rewritten in
    the same second with the same size would keep both, and a consumer's conditional GET would get 304 for a list
    that changed.
    """
    try:
        old = int(os.stat(path).st_mtime)
    except (IOError, OSError):
        return
    if int(os.stat(tmp).st_mtime) <= old:
        os.utime(tmp, (old + 1, old + 1))


class AddressFeed(Target):

    TARGET_INFO = TargetInfo('allowlist.egress.address_feed', name_option='path', family_option=None,
                             family_values=None, persist=False)

    def __init__(self, path, fmt, sidecar=None, max_entries=None, max_size=None, ip_version='all', edited='fail',
                 provenance=None, mode='0644', warn=None):
        if fmt not in FORMATS:
            raise EgressError('Invalid format %r: use one of %s' % (fmt, ', '.join(FORMATS)))
        if not isinstance(path, str) or not os.path.isabs(path):
            raise EgressError('Invalid path %r: use an absolute path' % (path,))
        if path.endswith('/'):
            raise EgressError('Invalid path %r: a file, not a directory' % (path,))
        if ip_version not in IP_VERSIONS:
            raise EgressError('Invalid ip_version %r: use 4, 6 or all' % (ip_version,))
        if edited not in EDITED:
            raise EgressError('Invalid edited %r: use fail or overwrite' % (edited,))
        if not isinstance(mode, str) or not re.match(r'0?[0-7]{3}\Z', mode):
            raise EgressError('Invalid mode %r: an octal mode such as "0644"' % (mode,))
        if int(mode, 8) & 0o022:
            # Anyone who may write the served file decides what every consumer's firewall allows.
            raise EgressError('Invalid mode %r: the feed is served to firewalls, so group and others must not write it '
                              '(use "0644" or "0640")' % (mode,))
        self.path = os.path.normpath(path)
        self.format = FORMATS[fmt]
        self.sidecar = os.path.normpath(sidecar) if sidecar else self.path + '.meta.json'
        if not os.path.isabs(self.sidecar) or self.sidecar == self.path:
            raise EgressError('Invalid sidecar %r: an absolute path other than path' % (sidecar,))
        self.max_entries = _limit(max_entries, self.format.max_entries, 'max_entries')
        self.max_size = _limit(max_size, self.format.max_size, 'max_size')
        self.ip_version = ip_version
        self.edited = edited
        if provenance is not None:
            if self.format.style != 'json':
                raise EgressError('provenance is written only by the json and checkpoint_json formats, not %s' % fmt)
            try:
                json.dumps(provenance, allow_nan=False)
            except (TypeError, ValueError) as error:
                raise EgressError('Invalid provenance: it must be plain JSON data (%s)' % error)
        self.provenance = provenance
        self.mode = int(mode, 8)
        self.warn = warn
        self._current = None  # the bytes of the file as read
        self._current_sidecar = None
        self._text = self._sidecar_text = None
        self._write_feed = self._write_sidecar = False
        self._facts = {}

    def describe(self):
        return 'feed file %s' % self.path

    def lock_path(self):
        return _files.default_lock_path('address_feed', self.path)

    # -- reading ----------------------------------------------------------
    def _read_bytes(self, path, what):
        """The file's bytes, or None when it does not exist; never follows a symlink or blocks on a FIFO."""
        try:
            info = os.lstat(path)
        except (IOError, OSError) as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise EgressError('Cannot read the %s %s: %s' % (what, path, exc))
        if stat.S_ISLNK(info.st_mode):
            # The directory is served over HTTPS: a link there could make a root-run sync overwrite any file.
            raise EgressError('Refusing the %s %s: it is a symlink; give the real path' % (what, path))
        if not stat.S_ISREG(info.st_mode):
            raise EgressError('Refusing the %s %s: it is not a regular file' % (what, path))
        if info.st_size > READ_MAX:
            raise EgressError('Refusing the %s %s: %d bytes, more than any feed this module writes' % (what, path, info.st_size))
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
            with os.fdopen(fd, 'rb') as f:
                return f.read(READ_MAX + 1)
        except (IOError, OSError) as exc:
            raise EgressError('Cannot read the %s %s: %s' % (what, path, exc))

    def _sidecar_meta(self, data):
        """The sidecar's metadata when it is one this module wrote for this feed file, else None."""
        if data is None:
            return None
        try:
            meta = json.loads(data.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(meta, dict) or meta.get('generator') != GENERATOR:
            return None
        # A sidecar of another feed (copied, or sidecar= pointing at it) is not this file's.
        return meta if meta.get('file') == os.path.basename(self.path) else None

    def _edited(self, what, why):
        """An edited feed file or a foreign sidecar: an error, or with edited=overwrite a warning."""
        if self.edited == 'fail':
            raise EgressError('%s was not written by this module or was edited since (%s); nothing was changed. '
                              'Look at it, then remove it or set edited=overwrite to replace it' % (what, why))

    def read(self):
        if self.edited == 'overwrite' and self.state in ('merged', 'deleted'):
            # The entries of an edited file are read only so that the guards can count them: merged or deleted
            # would keep them, and the new sidecar would then vouch for them as ours.
            raise EgressError('edited=overwrite works only with state=replaced (or absent), not state=%s: for %s, '
                              'the entries of an edited or foreign file would be kept and signed as ours; nothing '
                              'was changed' % (self.state, self.describe()))
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            self._current = self._current_sidecar = None
            return _address_set.MISSING
        data = self._read_bytes(self.path, 'feed file')
        self._current = data
        self._current_sidecar = self._read_bytes(self.sidecar, 'sidecar')
        meta = self._sidecar_meta(self._current_sidecar)
        if data is None:
            if self._current_sidecar is not None and meta is None:
                why = 'it is not a sidecar this module wrote for %s' % os.path.basename(self.path)
                self._edited('the sidecar %s' % self.sidecar, why)
                if self.warn:
                    self.warn('the sidecar %s is not one this module wrote for %s; it is replaced (edited=overwrite)'
                              % (self.sidecar, self.path) if self.state != 'absent' else
                              'the sidecar %s is not one this module wrote for %s; it is left alone'
                              % (self.sidecar, self.path))
            # Only our own sidecar makes a missing feed "exist" (state=absent removes it); a foreign one is not ours.
            return _address_set.Current(meta is not None, [], {})
        digest = _sha256(data)
        ours = meta is not None and digest in (meta.get('sha256'), meta.get('previous_sha256'))
        if ours:
            written_as = meta.get('format') if meta.get('format') in FORMATS else self.format.name
            entries = parse(written_as, data, self.path)
        else:
            why = ('it has no sidecar %s' % self.sidecar if self._current_sidecar is None else
                   'its SHA-256 %s is not the one in %s' % (digest, self.sidecar) if meta is not None else
                   'its sidecar %s is not one this module wrote for it' % self.sidecar)
            self._edited(self.describe(), why)
            # edited=overwrite, so state=replaced, absent or gathered: these entries are never kept, only counted
            # by the removal guard (a file someone grew by hand is still protected by max_removals).
            try:
                entries = parse(self.format, data, self.path)
                note = 'read as %s' % self.format.name
            except EgressError as error:
                # Nothing trustworthy to compare with: the guards see an empty feed, and the file is replaced whole.
                entries, note = [], 'unreadable (%s), treated as empty' % error
            if self.warn:
                self.warn('%s was edited or not written by this module (%s); %s and replaced (edited=overwrite)'
                          % (self.describe(), why, note))
        elements = [_address_set.Element(i[0], i[1], i[2], comment, None) for i, comment in entries]
        return _address_set.Current(True, elements, dict(sha256=digest))

    # -- planning ---------------------------------------------------------
    def prepare(self, current, desired):
        if self.ip_version != 'all':
            wanted = int(self.ip_version)
            for version in desired.versions:
                if version != wanted:
                    raise EgressError('%s holds IPv%s only (ip_version=%s), but the addresses include IPv%d, for '
                                      'example %s' % (self.describe(), self.ip_version, self.ip_version, version,
                                                      desired.first_of_version(version)))
        if self.format.style == 'bare' and desired.groups:
            # No comment syntax: the entries are stored without their sources, so compare them that way too.
            merged = desired.all()
            desired.groups = OrderedDict([(None, merged)]) if merged else OrderedDict()

    def _check_limits(self, count, size):
        if self.max_entries is not None and count > self.max_entries:
            raise EgressError('%s would hold %d entries, more than max_entries=%d (%s); nothing was written. Raise '
                              'max_entries to what your model takes, or split the list'
                              % (self.describe(), count, self.max_entries, self.format.name))
        if self.max_size is not None and size > self.max_size:
            raise EgressError('%s would be %d bytes, more than max_size=%d (%s); nothing was written'
                              % (self.describe(), size, self.max_size, self.format.name))

    def commands(self, current, plan):
        pairs = plan.target_prefixes()
        text = render(self.format, pairs, self.provenance)
        data = text.encode('utf-8')
        self._check_limits(len(pairs), len(data))
        v4, v6 = _counts(pairs)
        digest = _sha256(data)
        meta = OrderedDict([
            ('generator', GENERATOR), ('file', os.path.basename(self.path)), ('format', self.format.name),
            ('sha256', digest), ('size', len(data)), ('count', len(pairs)), ('count_ipv4', v4), ('count_ipv6', v6)])
        if self._current is not None and self._current != data:
            meta['previous_sha256'] = _sha256(self._current)
        elif self._current is not None:
            old = self._sidecar_meta(self._current_sidecar) or {}
            if old.get('previous_sha256'):
                meta['previous_sha256'] = old['previous_sha256']
        self._text = data
        self._sidecar_text = (json.dumps(meta, indent=1) + '\n').encode('utf-8')
        self._facts = dict(format=self.format.name, sidecar=self.sidecar, sha256=digest,
                           size=len(data), count=len(pairs), max_entries=self.max_entries, max_size=self.max_size)
        if current is None:
            return text.splitlines()
        self._write_feed = self._current != data
        # A sidecar whose only difference is previous_sha256 is still right.
        old_meta = self._sidecar_meta(self._current_sidecar) or {}
        self._write_sidecar = self._write_feed or any(old_meta.get(k) != v for k, v in meta.items())
        lines = []
        if self._write_feed:
            lines.append('write %s (%s, %d entries, %d bytes, sha256 %s)'
                         % (self.path, self.format.name, len(pairs), len(data), digest))
        if self._write_sidecar:
            lines.append('write %s (sha256 and counts)' % self.sidecar)
        return lines

    # -- writing ----------------------------------------------------------
    def apply(self, current, plan):
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            raise EgressError('Invalid path %r: the directory %s does not exist (create it first)' % (self.path, directory))
        pending = []
        try:
            # Both temporary files first, so a full disk fails before either file changes.
            for wanted, path, data in ((self._write_sidecar, self.sidecar, self._sidecar_text),
                                       (self._write_feed, self.path, self._text)):
                if wanted:
                    try:
                        tmp = _files._write_temp(path, data, self.mode)
                        pending.append((tmp, path))
                        _later_than(tmp, path)
                    except (IOError, OSError) as exc:
                        raise EgressError('Cannot write %s, so nothing was changed: %s' % (path, exc))
            # The sidecar first: it names the old file's checksum too, so a crash between the renames leaves a pair
            # that still reads as ours.
            while pending:
                tmp, path = pending[0]
                os.rename(tmp, path)
                pending.pop(0)
        finally:
            for tmp, _path in pending:
                _files._unlink_quietly(tmp)

    def _removable(self):
        """The feed file, and the sidecar only when it is ours (a foreign file at that path is left alone)."""
        paths = [self.path]
        if self._sidecar_meta(self._current_sidecar) is not None:
            paths.append(self.sidecar)
        return paths

    def remove_commands(self, current):
        return ['remove %s' % p for p in self._removable() if os.path.lexists(p)]

    def remove(self, current):
        for path in self._removable():
            try:
                os.unlink(path)
            except (IOError, OSError) as exc:
                if exc.errno != errno.ENOENT:
                    raise EgressError('Cannot remove %s: %s' % (path, exc))

    def facts(self, current, plan):
        return self._facts


def from_params(params, warn=None):
    return AddressFeed(params['path'], params['format'], sidecar=params.get('sidecar'),
                       max_entries=params.get('max_entries'), max_size=params.get('max_size'),
                       ip_version=params.get('ip_version') or 'all', edited=params.get('edited') or 'fail',
                       provenance=params.get('provenance'), mode=params.get('mode') or '0644', warn=warn)
