# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests mirror plugins/ file for file, so that the test of any file is found without searching."""

from __future__ import annotations

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = os.path.join(ROOT, 'plugins')
UNIT = os.path.join(ROOT, 'tests', 'unit', 'plugins')
# Where the logic lives. Modules and action plugins only wire options to it; the integration tests run them.
MIRRORED = ('module_utils', 'plugin_utils', 'filter', 'test', 'lookup')


def has_logic(path):
    """Whether a file defines a function (a method counts): data, exceptions and doc fragments have none."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(tree))


def mirror_of(path):
    """plugins/module_utils/targets/_nftables.py -> tests/unit/plugins/module_utils/targets/test_nftables.py"""
    relative = os.path.relpath(path, PLUGINS)
    directory, name = os.path.split(relative)
    return os.path.join(UNIT, directory, 'test_' + name.lstrip('_'))


def plugin_files():
    for top in MIRRORED:
        for directory, _dirs, files in os.walk(os.path.join(PLUGINS, top)):
            for name in sorted(files):
                if name.endswith('.py'):
                    yield os.path.join(directory, name)


def test_every_plugin_file_with_logic_has_its_unit_test():
    missing = [os.path.relpath(mirror_of(path), ROOT) for path in plugin_files()
               if has_logic(path) and not os.path.exists(mirror_of(path))]
    assert missing == []


def test_every_unit_test_of_a_plugin_file_names_an_existing_file():
    # A test left behind by a move or a rename would test nothing that is there.
    plugin_tests = set(mirror_of(path) for path in plugin_files())
    orphans = []
    for directory, _dirs, files in os.walk(UNIT):
        for name in files:
            path = os.path.join(directory, name)
            if name.startswith('test_') and name.endswith('.py') and path not in plugin_tests:
                orphans.append(os.path.relpath(path, ROOT))
    assert sorted(orphans) == []


def test_the_mirror_maps_names_as_documented():
    assert mirror_of(os.path.join(PLUGINS, 'module_utils', 'targets', '_nftables.py')) == os.path.join(
        UNIT, 'module_utils', 'targets', 'test_nftables.py')
    assert mirror_of(os.path.join(PLUGINS, 'filter', 'with_comment.py')) == os.path.join(UNIT, 'filter', 'test_with_comment.py')
