# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the Linux firewall backends share: running their command-line tool, and the state they read."""

from __future__ import annotations

import re
import subprocess
from collections import namedtuple

from ansible_collections.allowlist.egress.plugins.module_utils import _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

# What a backend read: whether the object exists, its elements (_address_set.Element) and its properties.
Current = namedtuple('Current', 'exists elements properties')

MISSING = Current(False, [], {})


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


def check_one_family(desired, holds, split):
    """A kernel set holds one address family; say how to split a list that mixes them."""
    if len(desired.versions) > 1:
        raise EgressError(
            'The addresses mix IPv4 and IPv6 (for example %s and %s), but %s. Sync two sets, %s, e.g. addresses: '
            '"{{ list | ansible.utils.ipv4 }}" and "{{ list | ansible.utils.ipv6 }}", or the egress_ranges lookup with '
            'ip_version=4 and ip_version=6.' % (desired.first_of_version(4), desired.first_of_version(6), holds, split))


HOST_EXPANSION_MAX = 65536


def check_expandable(desired, why):
    """Sets of single addresses get CIDRs expanded; refuse what would not fit a sane set."""
    for group in desired.groups.values():
        for interval in group:
            if interval[2] - interval[1] >= HOST_EXPANSION_MAX:
                raise EgressError('%s; %s is too wide to expand' % (why, _intervals.describe(interval)))
