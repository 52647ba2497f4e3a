# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the Linux firewall backends share: running their command-line tool, and the state they read."""

from __future__ import annotations

import re
import subprocess

from ansible_collections.allowlist.egress.plugins.module_utils._address_set import check_comment_text
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def subprocess_runner(argv, data=None):
    """Run argv (never a shell) with `data` on stdin; return (rc, stdout, stderr). Used outside Ansible."""
    proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def module_runner(module):
    """The same interface on AnsibleModule.run_command, which finds the binary and logs like every module."""
    def run(argv, data=None):
        argv = list(argv)
        if argv[0] == 'unshare':
            # isolated(): the command that unshare runs is found the same way.
            at = argv.index('--') + 1
            argv[at] = module.get_bin_path(argv[at], required=True, opt_dirs=['/usr/sbin', '/sbin'])
        argv[0] = module.get_bin_path(argv[0], required=True, opt_dirs=['/usr/sbin', '/sbin'])
        return module.run_command(argv, data=data, binary_data=True)
    return run


def isolated(argv):
    """argv run in a new, empty network namespace that vanishes with it: a kernel check that changes nothing here."""
    return ['unshare', '--net', '--'] + list(argv)


def isolation_failed(rc, err):
    """Whether unshare itself failed (no CAP_SYS_ADMIN, e.g. in some containers), not the command it ran."""
    return rc != 0 and (err or '').lstrip().startswith('unshare:')


def check_name(value, what, pattern, max_length, rule):
    if not isinstance(value, str) or not re.fullmatch(pattern, value) or len(value) > max_length:
        raise EgressError('Invalid %s %r: %s' % (what, value, rule))
    return value


def check_comment(comment, where, max_bytes):
    """Comments go to the kernel verbatim; neither nft nor ipset accept a double quote or a line break in one.

    Their limits are in bytes of UTF-8 (measured: nft refuses 129 bytes, ipset 256), not in characters.
    """
    check_comment_text(comment, where)
    size = len(comment.encode('utf-8'))
    if size > max_bytes or '"' in comment:
        raise EgressError('Invalid comment %r at %s: at most %d bytes in UTF-8 (this one is %d), no double quote'
                          % (comment, where, max_bytes, size))
