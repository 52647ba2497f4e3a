# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Firewall tests run the real modules against the real kernel, each in network namespaces it creates."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.integration.conftest import Ansible
from tests.support.netns import Netns


@pytest.fixture(autouse=True, scope='session')
def kernel_tools():
    # Fail loudly rather than skip: CI runs as root, and a skipped firewall test would hide a broken backend.
    missing = [tool for tool in ('nft', 'ipset', 'iptables', 'ip', 'nsenter') if not shutil.which(tool)]
    if os.geteuid() != 0 or missing:
        pytest.fail('The firewall tests need root and %s (make test installs them); missing: %s'
                    % ('nft, ipset, iptables, ip, nsenter', ', '.join(missing) or 'root'))


@pytest.fixture
def netns():
    """A factory of fresh network namespaces, all destroyed (with their processes) after the test."""
    made = []

    def make(prefix='ae'):
        ns = Netns(prefix).create()
        made.append(ns)
        return ns

    yield make
    for ns in made:
        ns.destroy()


@pytest.fixture
def host(netns, tmp_path):
    """One namespace and an Ansible that runs (and so runs its modules) inside it."""
    ns = netns()
    return ns, Ansible(tmp_path, prefix=ns.prefix)
