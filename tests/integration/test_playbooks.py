# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every playbook of the collection passes ansible-playbook --syntax-check, by path and by FQCN."""

from __future__ import annotations

import glob
import os
import subprocess

import pytest

from tests.conftest import ROOT
from tests.integration.conftest import BIN

PLAYBOOKS = sorted(glob.glob(os.path.join(ROOT, 'playbooks', '*.yml')))


def test_there_are_playbooks():
    assert set(os.path.basename(p) for p in PLAYBOOKS) >= {'sync.yml', 'show.yml', 'dns_forwarder.yml', 'vpn_check.yml',
                                                           'nftables_allowlist.yml'}


@pytest.mark.parametrize('playbook', PLAYBOOKS, ids=os.path.basename)
def test_syntax(ansible, playbook):
    name = 'allowlist.egress.' + os.path.basename(playbook)[:-len('.yml')]
    for target in (playbook, name):
        proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '--syntax-check', target],
                              env=ansible.env, cwd=str(ansible.tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        assert proc.returncode == 0, proc.stdout
