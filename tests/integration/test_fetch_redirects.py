# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A public mirror that redirects into loopback, on real servers: in a network namespace, one HTTPS server
listens on a documentation address (192.0.2.10, standing in for a public mirror) and another on 127.0.0.1
(an internal service). The fetcher runs in the namespace too, so both are reachable and only the redirect
check stands between them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import COLLECTIONS, ROOT
from tests.support.netns import Netns

SCRIPT = r'''
import json, sys
from tests.support.https_server import HttpsServer
from ansible_collections.allowlist.egress.plugins.module_utils._errors import FetchError
from ansible_collections.allowlist.egress.plugins.module_utils._http import Fetcher, FetchOptions

internal = HttpsServer(host='127.0.0.1').start()
internal.serve('/admin.json', '["10.0.0.1"]')
public = HttpsServer(ca=internal.ca, host='192.0.2.10').start()
public.serve('/list.json', '', redirect=internal.url('/admin.json'))
public.serve('/v2/list.json', '["192.0.2.1"]')
public.serve('/moved.json', '', redirect='/v2/list.json')
ca = internal.write_ca(sys.argv[1] + '/ca.pem')
fetcher = Fetcher(FetchOptions(cache_dir=sys.argv[1] + '/cache', ca_path=ca, retries=0))
parse = lambda body, url: json.loads(body)
out = {}
try:
    out['into_loopback'] = fetcher.fetch(public.url('/list.json'), parse).parsed
except FetchError as error:
    out['into_loopback'] = str(error)
out['internal_requests'] = len(internal.requests)
out['within_public'] = fetcher.fetch(public.url('/moved.json'), parse).provenance()
out['mirror_on_loopback'] = fetcher.fetch(internal.url('/admin.json'), parse).parsed
print(json.dumps(out))
'''


@pytest.fixture
def namespace():
    if os.geteuid() != 0:
        pytest.skip('needs root for a network namespace')
    ns = Netns('ae-redir').create()
    try:
        ns.run(['ip', 'addr', 'add', '192.0.2.10/32', 'dev', 'lo'])  # an ordinary address, only here
        yield ns
    finally:
        ns.destroy()


def test_a_public_url_cannot_redirect_into_loopback(namespace, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, COLLECTIONS]))
    proc = subprocess.run(namespace.prefix + [sys.executable, '-c', SCRIPT, str(tmp_path)], env=env, cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 'a redirect to 127.0.0.1, a loopback, link-local or private address, is refused because 192.0.2.10 ' \
           'is not one' in out['into_loopback'], out
    assert out['internal_requests'] == 0  # the internal server was never asked
    assert out['within_public']['url'].endswith('/moved.json') and out['within_public']['final_url'].endswith('/v2/list.json')
    assert out['mirror_on_loopback'] == ['10.0.0.1']  # a URL that is on loopback itself is fine
