# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dns_forwarder role's kresd cache clearer, against Unix sockets that answer as kresd's control sockets do
(the real kresd is in the knot_resolver molecule scenario)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'dns_forwarder', 'files',
                      'kresd_cache_clear.py')


def _control_socket(path, received):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def serve():
        conn = server.accept()[0]
        data = b''
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        received.append(data.decode())
        conn.sendall(b'[count] => 3\n')
        conn.close()
        server.close()

    thread = threading.Thread(target=serve)
    thread.start()
    return thread


def _run(directory, *zones):
    return subprocess.run([sys.executable, SCRIPT, str(directory)] + list(zones), capture_output=True, text=True,
                          check=False, timeout=30)


def test_clears_each_zone_through_each_socket_and_skips_a_stale_one(tmp_path):
    received = []
    thread = _control_socket(str(tmp_path / '4242'), received)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(tmp_path / '17'))  # bound, never listening: the socket of a kresd that has exited
    stale.close()
    result = _run(tmp_path, 'corp.example', 'outsystemsenterprise.com')
    thread.join(10)
    assert result.returncode == 0, result.stderr
    # Names travel as JSON strings, with the final dot kresd wants.
    assert received == ['cache.clear("corp.example.")\ncache.clear("outsystemsenterprise.com.")\n']
    assert '4242: [count] => 3' in result.stdout


def test_fails_when_no_kresd_answers(tmp_path):
    result = _run(tmp_path, 'corp.example')
    assert result.returncode != 0
    assert 'no running kresd answered in %s' % tmp_path in result.stderr
