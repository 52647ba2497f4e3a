# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the Linux firewall backends share: running their command-line tool, and the state they read."""

from __future__ import annotations

import re
import subprocess

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def subprocess_runner(argv, data=None):
    """Run argv (never a shell) with `data` on stdin; return (rc, stdout, stderr). Used outside Ansible."""
    proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def module_runner(module):
    """The same interface on AnsibleModule.run_command, which finds the binary and logs like every module."""
    def run(argv, data=None):
        binary = module.get_bin_path(argv[0], required=True, opt_dirs=['/usr/sbin', '/sbin'])
        return module.run_command([binary] + list(argv[1:]), data=data, binary_data=True)
    return run


def check_name(value, what, pattern, max_length, rule):
    if not isinstance(value, str) or not re.match(pattern, value) or len(value) > max_length:
        raise EgressError('Invalid %s %r: %s' % (what, value, rule))
    return value


def check_comment(comment, where, max_length):
    """Comments go to the kernel verbatim; neither nft nor ipset accept a double quote or a line break in one."""
    if len(comment) > max_length or '"' in comment or any(ord(ch) < 32 for ch in comment):
        raise EgressError('Invalid comment %r at %s: at most %d characters, no double quote, no control characters'
                          % (comment, where, max_length))
