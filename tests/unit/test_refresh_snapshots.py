# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/refresh_snapshots.py records the Atlas lists, and offline lookups then use them."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _egress_ranges
from ansible_collections.allowlist.egress.plugins.module_utils._http import FetchOptions
from ansible_collections.allowlist.egress.plugins.module_utils.sources import _atlas_snapshots
from tests.conftest import ROOT

FILES = {'': ['192.0.2.1', '198.51.100.1', '203.0.113.1'], 'AWS': ['192.0.2.1'], 'Azure': ['198.51.100.1'],
         'GCP': ['203.0.113.1']}


@pytest.fixture
def restore_snapshots():
    path = os.path.join(ROOT, 'plugins', 'module_utils', 'sources', '_atlas_snapshots.py')
    backup = path + '.test-backup'
    shutil.copy(path, backup)
    yield path
    shutil.move(backup, path)
    importlib.reload(_atlas_snapshots)


def test_refresh_from_a_mirror_then_offline_uses_the_snapshot(https_server, ca_file, tmp_path, restore_snapshots):
    for suffix, entries in FILES.items():
        https_server.serve('/AtlasAppServicesPublicIPs%s.json' % suffix, json.dumps(entries))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'refresh_snapshots.py'), '--base-url',
                           https_server.url('/AtlasAppServicesPublicIPs'), '--ca-path', ca_file, '--date', '2026-11-22'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 0, proc.stdout
    importlib.reload(_atlas_snapshots)
    assert _atlas_snapshots.RECORDED == '2026-11-22'
    assert _atlas_snapshots.SNAPSHOTS['aws'] == ['192.0.2.1/32']
    warnings = []
    result = _egress_ranges.get_egress_ranges(['atlas'], {'provider': ['gcp']}, warn=warnings.append,
                                              fetch_options=FetchOptions(offline=True, cache_dir=str(tmp_path / 'empty')))
    assert result['addresses'] == ['203.0.113.1/32']
    assert result['provenance'][0]['origin'] == 'snapshot' and result['provenance'][0]['recorded'] == '2026-11-22'
    assert 'using the bundled snapshot recorded 2026-11-22' in warnings[0]


def test_refresh_refuses_a_broken_download(https_server, ca_file, restore_snapshots):
    for suffix, entries in FILES.items():
        https_server.serve('/AtlasAppServicesPublicIPs%s.json' % suffix, json.dumps(entries))
    https_server.serve('/AtlasAppServicesPublicIPsGCP.json', '<html>maintenance</html>')
    with open(restore_snapshots) as f:
        before = f.read()
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'refresh_snapshots.py'), '--base-url',
                           https_server.url('/AtlasAppServicesPublicIPs'), '--ca-path', ca_file],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode != 0 and 'an HTML page' in proc.stdout
    with open(restore_snapshots) as f:
        assert f.read() == before
