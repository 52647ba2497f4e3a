# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run real ansible and ansible-playbook processes against the collection, and read their JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.conftest import COLLECTIONS

BIN = os.path.dirname(sys.executable)


class Ansible(object):
    """`prefix` runs ansible inside something, e.g. a network namespace (its modules run there too)."""

    def __init__(self, tmp_path, prefix=()):
        self.tmp_path = tmp_path
        self.prefix = list(prefix)
        self.env = dict(os.environ)
        self.env.update({
            'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS,
            'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'results_file',
            'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
            'RESULTS_FILE': str(tmp_path / 'results.json'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_DEPRECATION_WARNINGS': '0',
            'XDG_CACHE_HOME': str(tmp_path / 'xdg-cache'),
        })

    def _run(self, argv):
        proc = subprocess.run(self.prefix + argv, env=self.env, cwd=str(self.tmp_path), stdout=subprocess.PIPE, check=False,
                              stderr=subprocess.PIPE, text=True, timeout=300)
        try:
            with open(self.env['RESULTS_FILE']) as f:
                data = json.load(f)
        except (IOError, ValueError):
            raise AssertionError('no results from %s:\n%s\n%s' % (argv, proc.stdout, proc.stderr))
        os.unlink(self.env['RESULTS_FILE'])
        self.last_results = data  # every task result in order, for tasks that run more than once
        return proc, data

    def playbook(self, tasks, check=False, extra_vars=None, diff=False, verbose=False):
        """Run tasks on localhost; return ({task name: result}, completed process)."""
        path = self.tmp_path / 'playbook.yml'
        path.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], sort_keys=False))
        return self.run_playbook(str(path), check=check, extra_vars=extra_vars, diff=diff, verbose=verbose)

    def run_playbook(self, playbook, check=False, extra_vars=None, diff=False, inventory=None, verbose=False):
        """Run a playbook file (or a collection playbook's FQCN); results by task name, the last one winning."""
        argv = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory or 'localhost,', '-c', 'local', playbook]
        if verbose:
            argv.append('-vvv')
        if check:
            argv.append('--check')
        if diff:
            argv.append('--diff')
        if extra_vars:
            argv.extend(['-e', json.dumps(extra_vars)])
        proc, data = self._run(argv)
        return dict((r['task'], r['result']) for r in data), proc

    def adhoc(self, module, args):
        argv = [os.path.join(BIN, 'ansible'), 'localhost', '-i', 'localhost,', '-c', 'local', '-m', module, '-a', args]
        proc, data = self._run(argv)
        return data[0]['result'], proc


@pytest.fixture
def ansible(tmp_path):
    return Ansible(tmp_path)
