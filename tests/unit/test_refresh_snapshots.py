# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/refresh_snapshots.py records the Atlas lists, and offline lookups then use them."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

from ansible_collections.allowlist.egress.plugins.module_utils import _egress_ranges
from ansible_collections.allowlist.egress.plugins.module_utils._http import FetchOptions
from ansible_collections.allowlist.egress.plugins.module_utils.sources import _atlas_snapshots
from tests.conftest import ROOT

FILES = {'': ['192.0.2.1', '198.51.100.1', '203.0.113.1'], 'AWS': ['192.0.2.1'], 'Azure': ['198.51.100.1'],
         'GCP': ['203.0.113.1']}
SCRIPT = os.path.join(ROOT, 'scripts', 'refresh_snapshots.py')


def serve_files(https_server):
    for suffix, entries in FILES.items():
        https_server.serve('/AtlasAppServicesPublicIPs%s.json' % suffix, json.dumps(entries))


def refresh(https_server, ca_file, output, *extra):
    return subprocess.run([sys.executable, SCRIPT, '--base-url', https_server.url('/AtlasAppServicesPublicIPs'),
                           '--ca-path', ca_file, '--output', str(output)] + list(extra),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)


def load(path):
    spec = importlib.util.spec_from_file_location('recorded_snapshots', str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_refresh_from_a_mirror_then_offline_uses_the_snapshot(https_server, ca_file, tmp_path, monkeypatch):
    serve_files(https_server)
    output = tmp_path / '_atlas_snapshots.py'
    proc = refresh(https_server, ca_file, output, '--date', '2026-11-22')
    assert proc.returncode == 0, proc.stdout
    recorded = load(output)
    assert recorded.RECORDED == '2026-11-22'
    assert recorded.SNAPSHOTS['aws'] == ['192.0.2.1/32']
    monkeypatch.setattr(_atlas_snapshots, 'RECORDED', recorded.RECORDED)
    monkeypatch.setattr(_atlas_snapshots, 'SNAPSHOTS', recorded.SNAPSHOTS)
    warnings = []
    result = _egress_ranges.get_egress_ranges(['atlas'], {'provider': ['gcp']}, warn=warnings.append,
                                              fetch_options=FetchOptions(offline=True, cache_dir=str(tmp_path / 'empty')))
    assert result['addresses'] == ['203.0.113.1/32']
    assert result['provenance'][0]['origin'] == 'snapshot' and result['provenance'][0]['recorded'] == '2026-11-22'
    assert 'using the bundled snapshot recorded 2026-11-22' in warnings[0]


def test_refresh_refuses_a_broken_download(https_server, ca_file, tmp_path):
    serve_files(https_server)
    https_server.serve('/AtlasAppServicesPublicIPsGCP.json', '<html>maintenance</html>')
    output = tmp_path / '_atlas_snapshots.py'
    output.write_text('# previous snapshot\n')
    proc = refresh(https_server, ca_file, output)
    assert proc.returncode != 0 and 'an HTML page' in proc.stdout
    assert output.read_text() == '# previous snapshot\n'


def test_refresh_from_dir_records_the_page_it_was_copied_from(tmp_path):
    source_dir = tmp_path / 'published'
    source_dir.mkdir()
    for suffix, entries in FILES.items():
        (source_dir / ('AtlasAppServicesPublicIPs%s.json' % suffix)).write_text(json.dumps(entries))
    output = tmp_path / '_atlas_snapshots.py'
    page = 'https://www.mongodb.com/docs/atlas/app-services/security/network/'
    proc = subprocess.run([sys.executable, SCRIPT, '--from-dir', str(source_dir), '--date', '2026-11-21',
                           '--origin-url', page, '--output', str(output)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 0, proc.stdout
    recorded = load(output)
    assert recorded.ORIGIN_URL == page and page in recorded.NOTE and recorded.RECORDED == '2026-11-21'
    assert recorded.SNAPSHOTS['azure'] == ['198.51.100.1/32']
    assert 'Bundled copies of the Atlas App Services' in output.read_text()  # the module's header is kept
