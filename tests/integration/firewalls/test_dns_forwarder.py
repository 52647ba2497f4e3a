# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dns_forwarder role (dnsmasq) through ansible-playbook, and a real dnsmasq answering real queries.

The molecule scenarios (extensions/molecule) test every backend in depth under the main ansible-core; this is
the DNS test of the ansible-core matrix (`make matrix`), cheap enough to run under every supported version.
dnsmasq runs in the forwarder's network namespace of tests.support.dns_lab, and the whole test in a mount
namespace of its own where /etc/dnsmasq.d and /run/dnsmasq are directories of the test: the role writes its
file, and the init script its pid file, there, so the host's dnsmasq files (and a molecule scenario running
at the same time) are never touched.
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess

import pytest
import yaml

from tests.integration.conftest import Ansible
from tests.support import dns_lab

# The private directories are bind-mounted over the system ones, then the command runs ("$@").
PRIVATE_MOUNTS = ('mkdir -p /run/dnsmasq && mount --bind "$1" /etc/dnsmasq.d && mount --bind "$2" /run/dnsmasq'
                  ' && shift 2 && exec "$@"')


@pytest.fixture
def lab(tmp_path):
    if os.path.isdir('/run/systemd/system'):
        # `service` would hand dnsmasq to systemd, outside the namespaces: the host's dnsmasq would restart.
        pytest.skip('systemd runs here: the role would restart the host\'s dnsmasq (the test needs a machine without it)')
    state_dir = str(tmp_path / 'lab')
    try:
        yield dns_lab.up(state_dir)
    finally:
        dns_lab.down(state_dir)  # kills dnsmasq too: it runs in the forwarder's namespace


def in_private_mounts(tmp_path):
    return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', PRIVATE_MOUNTS, 'sh',
            str(tmp_path / 'etc-dnsmasq.d'), str(tmp_path / 'run-dnsmasq')]


def dig(tmp_path, lab, name):
    proc = subprocess.run(in_private_mounts(tmp_path) + ['nsenter', '--net=/run/netns/%s' % lab['forwarder'],
                                                         'dig', '+time=1', '+tries=1', '+short', '@127.0.0.1', name],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30, check=False)
    return proc.stdout


def test_the_role_makes_dnsmasq_forward_the_zone(lab, tmp_path):
    # The admin's dnsmasq before the role: running, and dropping private answers (rebinding protection).
    (tmp_path / 'etc-dnsmasq.d').mkdir()
    (tmp_path / 'run-dnsmasq').mkdir()
    # As Debian's package makes /run/dnsmasq.
    os.chown(str(tmp_path / 'run-dnsmasq'), pwd.getpwnam('dnsmasq').pw_uid, grp.getgrnam('nogroup').gr_gid)
    (tmp_path / 'etc-dnsmasq.d' / 'zz-admin.conf').write_text('stop-dns-rebind\n')
    started = subprocess.run(in_private_mounts(tmp_path) + ['nsenter', '--net=/run/netns/%s' % lab['forwarder'],
                                                            'service', 'dnsmasq', 'start'],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60, check=False)
    assert started.returncode == 0, started.stdout
    assert '10.10.1.5' not in dig(tmp_path, lab, 'env-dev.outsystemsenterprise.com')

    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': {'forwarder': {
        'ansible_connection': 'local', 'ansible_python_interpreter': lab['python'],
        'dns_forwarder_backend': 'dnsmasq', 'dns_forwarder_servers': ['192.0.2.53'],
        'dns_forwarder_service_manager': 'direct'}}}}))
    playbook = tmp_path / 'forwarder.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'forwarder', 'gather_facts': False,
                                         'roles': [{'role': 'allowlist.egress.dns_forwarder'}]}]))
    ansible = Ansible(tmp_path, prefix=in_private_mounts(tmp_path))

    _results, proc = ansible.run_playbook(str(playbook), inventory=str(inventory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'changed=0' not in proc.stdout
    written = (tmp_path / 'etc-dnsmasq.d' / 'allowlist-forwarders.conf').read_text()
    assert 'server=/outsystemsenterprise.com/192.0.2.53#53\n' in written
    assert 'rebind-domain-ok=/outsystemsenterprise.com/\n' in written

    # A real query through the restarted dnsmasq reaches the VPN's server and brings its private answer back.
    assert dig(tmp_path, lab, 'env-dev.outsystemsenterprise.com').split() == ['10.10.1.5']
    with open(lab['query_log']) as log:
        assert 'env-dev.outsystemsenterprise.com' in log.read()
    # Names outside the zone are not sent to the VPN.
    dig(tmp_path, lab, 'host.corp.example')
    with open(lab['query_log']) as log:
        assert 'host.corp.example' not in log.read()

    # A second run changes nothing.
    _results, again = ansible.run_playbook(str(playbook), inventory=str(inventory))
    assert again.returncode == 0 and 'changed=0' in again.stdout and 'failed=0' in again.stdout, again.stdout
