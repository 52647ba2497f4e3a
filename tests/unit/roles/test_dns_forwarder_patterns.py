# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dns_forwarder role's patterns, through Ansible's own `match` test as the role's asserts use them."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible.plugins.test.core import match

VARS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'dns_forwarder', 'vars', 'main.yml')

with open(VARS) as f:
    ROLE_VARS = yaml.safe_load(f)
DOMAIN = ROLE_VARS['dns_forwarder__domain_pattern']
PORT = ROLE_VARS['dns_forwarder__port_pattern']


@pytest.mark.parametrize('name', ['corp.example', 'corp.example.', 'outsystemsenterprise.com', 'localhost',
                                  '_sip._tcp.corp.example', 'a-b.c-d.example', 'CORP.Example',
                                  '.'.join(['a' * 63] * 3) + '.' + 'b' * 61])
def test_domain_names(name):
    assert match(name, DOMAIN)


@pytest.mark.parametrize('name', [
    'corp.example\n',                   # $ would match before this newline
    'corp.example\nno-resolv', 'corp.example" { type forward; }; zone "x', 'corp.example};', 'bad zone;',
    'corp\u202eelpmaxe.example', 'corp.example\x00', 'corp.example\r', '\ncorp.example', 'corp..example',
    '.corp.example', '-corp.example', 'corp-.example', 'a' * 64 + '.example', '.'.join(['a' * 63] * 4) + '.b',
    '', '.', 'bücher.example', 'corp.example/', 'corp.example#53', 'corp.example..',
])
def test_not_domain_names(name):
    assert not match(name, DOMAIN)


@pytest.mark.parametrize('port', ['53', '5353', '65535', '0'])
def test_port_strings(port):
    # The range is checked after (1..65535); the pattern only keeps anything but digits out.
    assert match(port, PORT)


@pytest.mark.parametrize('port', ['53\n', '53\nfoo', '53; x', ' 53', '53 ', '+53', '5_3', '053535', '', '٥٣'])
def test_not_port_strings(port):
    assert not match(port, PORT)
