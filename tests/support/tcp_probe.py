# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real TCP traffic across namespaces: a server that accepts, and a client that connects from a chosen address.

    python tcp_probe.py serve --port 8080
    python tcp_probe.py connect --source 192.0.2.10 --dest 192.0.2.1 --port 8080   # exit 0 when it connects
    python tcp_probe.py loop --source ... --dest ... --port ... --stop-file F --out R.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time


def serve(args):
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.bind(('::', args.port))
    server.listen(512)
    print('ready', flush=True)
    while True:
        conn = server.accept()[0]
        conn.close()


def connect_once(source, dest, port, timeout):
    family = socket.AF_INET6 if ':' in dest else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.bind((source, 0))
        sock.connect((dest, port))
        return None
    except OSError as error:
        return '%s: %s' % (type(error).__name__, error)
    finally:
        sock.close()


def loop(args):
    attempts, failures = 0, []
    while not os.path.exists(args.stop_file):
        error = connect_once(args.source, args.dest, args.port, args.timeout)
        attempts += 1
        if error:
            failures.append('%.3f %s' % (time.time(), error))
        time.sleep(args.interval)
    with open(args.out, 'w') as f:
        json.dump({'attempts': attempts, 'failures': failures}, f)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('serve')
    p.add_argument('--port', type=int, required=True)
    for name in ('connect', 'loop'):
        p = sub.add_parser(name)
        p.add_argument('--source', required=True)
        p.add_argument('--dest', required=True)
        p.add_argument('--port', type=int, required=True)
        p.add_argument('--timeout', type=float, default=1.0)
        if name == 'loop':
            p.add_argument('--stop-file', required=True)
            p.add_argument('--out', required=True)
            p.add_argument('--interval', type=float, default=0.002)
    args = parser.parse_args()
    if args.command == 'serve':
        serve(args)
    elif args.command == 'connect':
        error = connect_once(args.source, args.dest, args.port, args.timeout)
        if error:
            print(error)
        sys.exit(1 if error else 0)
    else:
        loop(args)


if __name__ == '__main__':
    main()
