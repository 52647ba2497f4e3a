# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# allowlist.egress.dns_forwarder: drop the zones' answers from Knot Resolver's cache through every control socket
# in a directory (argv: directory, zone...). Waits a few seconds for a kresd that was just started.
import glob
import json
import os
import socket
import sys
import time

directory, zones = sys.argv[1], sys.argv[2:]
deadline = time.time() + 10
done = 0
while True:
    for path in sorted(glob.glob(os.path.join(directory, '*'))):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(5)
        try:
            conn.connect(path)
        except OSError:
            continue  # the socket of a kresd that has exited
        for zone in zones:
            conn.sendall(('cache.clear(%s)\n' % json.dumps(zone + '.')).encode('ascii'))
            time.sleep(0.05)
        conn.shutdown(socket.SHUT_WR)
        reply = b''
        try:
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except socket.timeout:
            pass
        conn.close()
        sys.stdout.write('%s: %s\n' % (path, reply.decode('utf-8', 'replace').strip()))
        done += 1
    if done or time.time() > deadline:
        break
    time.sleep(0.2)
if not done:
    sys.exit('no running kresd answered in %s' % directory)
