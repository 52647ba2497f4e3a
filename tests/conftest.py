# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make the collection importable as ansible_collections.allowlist.egress, and share the test servers."""

from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
_link = os.path.join(COLLECTIONS, 'ansible_collections', 'allowlist', 'egress')
if not os.path.exists(_link):
    os.makedirs(os.path.dirname(_link), exist_ok=True)
    os.symlink(ROOT, _link)
for path in (ROOT, COLLECTIONS):
    if path not in sys.path:
        sys.path.insert(0, path)

from tests.support.dns_server import DnsServer  # noqa: E402
from tests.support.https_server import HttpsServer  # noqa: E402


@pytest.fixture
def https_server():
    server = HttpsServer().start()
    yield server
    server.stop()


@pytest.fixture
def ca_file(https_server, tmp_path):
    return https_server.write_ca(str(tmp_path / 'ca.pem'))


@pytest.fixture
def dns_server():
    """A factory: dns_server(records=..., cnames=..., ...) starts one; all are stopped after the test."""
    started = []

    def start(**kwargs):
        server = DnsServer(**kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def moto_server():
    """moto on loopback, empty for each test."""
    from tests.support.moto_server import MotoServer
    server = MotoServer().start()
    yield server
    server.stop()
