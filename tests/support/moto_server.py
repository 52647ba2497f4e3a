# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""moto's AWS emulator as a real HTTP server on loopback, for boto3 calls from Ansible modules in other processes."""

from __future__ import annotations

import socket

import requests

from moto.server import ThreadedMotoServer

# Fake credentials for the emulator; no IMDS lookup (there is no network to wait for).
ENV = {
    'AWS_ACCESS_KEY_ID': 'testing',
    'AWS_SECRET_ACCESS_KEY': 'testing',
    'AWS_DEFAULT_REGION': 'us-east-1',
    'AWS_EC2_METADATA_DISABLED': 'true',
}


def _free_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class MotoServer(object):
    def __init__(self):
        self.port = _free_port()
        self.server = ThreadedMotoServer(ip_address='127.0.0.1', port=self.port, verbose=False)
        self.url = 'http://127.0.0.1:%d' % self.port

    def start(self):
        self.server.start()
        # moto keeps its state per process, not per server: start every test from an empty AWS.
        requests.post(self.url + '/moto-api/reset', timeout=10).raise_for_status()
        return self

    def stop(self):
        self.server.stop()
