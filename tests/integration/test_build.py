# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`ansible-galaxy collection build` makes an artifact that installs and works from where it is installed."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

from tests.conftest import ROOT

BIN = os.path.dirname(sys.executable)


def run(argv, env, cwd):
    return subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300, check=False)


def test_build_install_and_use(tmp_path):
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / 'home'), ANSIBLE_COLLECTIONS_PATH=str(tmp_path / 'installed'),
               ANSIBLE_NOCOLOR='1', ANSIBLE_PYTHON_INTERPRETER=sys.executable, XDG_CACHE_HOME=str(tmp_path / 'cache'))
    built = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path), ROOT], env, ROOT)
    assert built.returncode == 0, built.stdout
    artifact = glob.glob(str(tmp_path / 'allowlist-egress-*.tar.gz'))
    assert len(artifact) == 1
    installed = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-p',
                     str(tmp_path / 'installed'), artifact[0]], env, str(tmp_path))
    assert installed.returncode == 0, installed.stdout
    root = tmp_path / 'installed' / 'ansible_collections' / 'allowlist' / 'egress'
    assert (root / 'plugins' / 'lookup' / 'outsystems_frontends.py').exists()
    assert not (root / 'build').exists() and not (root / '.venv').exists()

    for plugin_type, name in (('lookup', 'egress_ranges'), ('lookup', 'outsystems_frontends'), ('module', 'egress_ranges_info')):
        doc = run([os.path.join(BIN, 'ansible-doc'), '-t', plugin_type, 'allowlist.egress.' + name], env, str(tmp_path))
        assert doc.returncode == 0 and 'EXAMPLES' in doc.stdout and 'RETURN' in doc.stdout, doc.stdout
        assert str(root) in doc.stdout

    adhoc = run([os.path.join(BIN, 'ansible'), 'localhost', '-i', 'localhost,', '-c', 'local', '-m', 'ansible.builtin.debug',
                 '-a', "msg={{ lookup('allowlist.egress.egress_ranges', 'cloudgov') }}"], env, str(tmp_path))
    assert adhoc.returncode == 0 and '52.222.122.97/32,52.222.123.172/32' in adhoc.stdout, adhoc.stdout
