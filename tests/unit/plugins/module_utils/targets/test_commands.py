# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the Linux targets share: running their tool (in an empty namespace for checks), names and comments."""

from __future__ import annotations

import sys

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError
from ansible_collections.allowlist.egress.plugins.module_utils.targets import _commands, _ipset, _nftables


def test_subprocess_runner_passes_stdin_and_returns_rc_and_output():
    rc, out, err = _commands.subprocess_runner([sys.executable, '-c', 'import sys; print(sys.stdin.read().upper())'],
                                               'add allow')
    assert (rc, out, err) == (0, 'ADD ALLOW\n', '')


def test_module_runner_finds_the_tool_also_behind_unshare():
    calls = []

    class Module(object):
        def get_bin_path(self, name, required=False, opt_dirs=None):
            return '/usr/sbin/' + name

        def run_command(self, argv, data=None, binary_data=False):
            calls.append((argv, data))
            return 0, '', ''

    run = _commands.module_runner(Module())
    run(_commands.isolated(['nft', '-c', '-f', '-']), 'x')
    assert calls == [(['/usr/sbin/unshare', '--net', '--', '/usr/sbin/nft', '-c', '-f', '-'], 'x')]


def test_isolation_failed_only_when_unshare_itself_failed():
    assert _commands.isolation_failed(1, 'unshare: unshare failed: Operation not permitted')
    assert not _commands.isolation_failed(1, 'Error: syntax error')
    assert not _commands.isolation_failed(0, '')


def test_names_and_comments_are_checked():
    assert _commands.check_name('allow', 'set', r'^[a-z]+$', 16, 'letters') == 'allow'
    with pytest.raises(EgressError, match="Invalid set 'a b': letters"):
        _commands.check_name('a b', 'set', r'^[a-z]+$', 16, 'letters')


@pytest.mark.parametrize('name', ['allow\n', 'allow\nflush ruleset'])
def test_a_name_with_a_line_break_is_refused(name):
    # `$` also matches before a final newline: the name must match as a whole.
    for pattern, limit in ((_nftables.NAME_PATTERN, 255), (_ipset.NAME_PATTERN, 31)):
        with pytest.raises(EgressError, match='Invalid set name'):
            _commands.check_name(name, 'set name', pattern, limit, 'rule')
    _commands.check_comment('caf\u00e9', 'addresses[0]', 5)
    with pytest.raises(EgressError, match=r'at most 4 bytes in UTF-8 \(this one is 5\), no double quote'):
        _commands.check_comment('caf\u00e9', 'addresses[0]', 4)
    with pytest.raises(EgressError, match='no double quote'):
        _commands.check_comment('a"b', 'addresses[0]', 64)
