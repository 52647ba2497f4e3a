# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX / Automation Platform path, with the files of docs/awx/ that the README shows.

An execution environment: `ansible-builder create` on docs/awx/execution-environment.yml with the collection built
by `ansible-galaxy collection build`; the context's galaxy stage and introspect step are then run here as the
Containerfile runs them (no container runtime), and must pick up requirements.txt and bindep.txt.

A job: `ansible-runner` on a private data directory laid out as AWX gives it (project/, inventory/hosts,
env/extravars, env/envvars, env/cmdline for the "Check" job), with the collection installed where the EE has it,
syncing into nftables sets in a network namespace made here; the job events must carry each target's summary.
"""

from __future__ import annotations

import glob
import importlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from ansible.release import __version__ as ansible_version
from packaging.specifiers import SpecifierSet

from tests.conftest import ROOT
from tests.support.netns import Netns

BIN = os.path.dirname(sys.executable)
AWX = os.path.join(ROOT, 'docs', 'awx')
EE_COLLECTIONS = '/usr/share/ansible/collections'  # where ansible-builder's galaxy stage installs collections


def run(argv, cwd, env=None, timeout=300):
    proc = subprocess.run(argv, cwd=str(cwd), env=env or clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, '%s failed (%d):\n%s' % (argv, proc.returncode, proc.stdout)
    return proc.stdout


def clean_env(**extra):
    """This environment without ANSIBLE_* (make exports a collections path pointing at the repository)."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('ANSIBLE_'))
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '/usr/bin:/bin')
    env.update(extra)
    return env


@pytest.fixture(scope='module')
def ee(tmp_path_factory):
    """docs/awx built as its comments say, `ansible-builder create`d, and its galaxy stage run into a directory that
    stands for the image's /usr/share/ansible/collections."""
    tmp = tmp_path_factory.mktemp('a16-ee')
    env = clean_env(ANSIBLE_HOME=str(tmp / 'ansible-home'), ANSIBLE_NOCOLOR='1')
    definition = tmp / 'ee'
    shutil.copytree(AWX, str(definition))
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(definition), ROOT], tmp, env)
    (built,) = glob.glob(str(definition / 'allowlist-egress-*.tar.gz'))
    os.rename(built, str(definition / 'allowlist-egress.tar.gz'))
    context = tmp / 'context'
    run([os.path.join(BIN, 'ansible-builder'), 'create', '--file', str(definition / 'execution-environment.yml'),
         '--context', str(context), '--output-filename', 'Containerfile'], tmp, env)
    containerfile = (context / 'Containerfile').read_text()
    # The galaxy stage: COPY _build /build, WORKDIR /build, then this install (checked in the test below).
    collections = tmp / 'usr-share-ansible-collections'
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml', '--collections-path',
         str(collections)], context / '_build', dict(env, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1'))
    return {'tmp': tmp, 'definition': definition, 'context': context, 'containerfile': containerfile,
            'collections': collections, 'env': env,
            'installed': collections / 'ansible_collections' / 'allowlist' / 'egress'}


def requirement_names(lines):
    return [re.split(r'[<>=!~;\[ ]', line.strip(), 1)[0].lower() for line in lines
            if line.strip() and not line.strip().startswith('#')]


# What each requirement the plugins document (DOCUMENTATION's requirements) needs in an EE: pip requirements,
# Debian packages, RPM packages. A new requirement fails the test below until it is here, and in requirements.txt or
# bindep.txt.
NEEDS = (
    (r'^requests$', ['requests'], [], []),
    (r'^netaddr$', ['netaddr'], [], []),
    (r'^dnspython$', ['dnspython'], [], []),
    (r'^nft ', [], ['nftables'], ['nftables']),
    (r'^ipset ', [], ['ipset'], ['ipset']),
    (r'^unshare ', [], ['util-linux'], ['util-linux']),
    (r'^ping ', [], ['iputils-ping'], ['iputils']),
    (r'^firewalld running on the managed host', [], [], []),  # a service of the host, not a package of the EE
    (r'C\(dbus\) and C\(firewall\)', [], ['python3-dbus', 'python3-firewall'], ['python3-dbus', 'python3-firewall']),
    (r'^The Python module C\(netaddr\)', ['netaddr'], ['python3-netaddr'], ['python3-netaddr']),
)


def documented_requirements():
    found = []
    for kind in ('modules', 'lookup', 'filter', 'test', 'action'):
        for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', kind, '*.py'))):
            name = os.path.basename(path)[:-3]
            if name == '__init__':
                continue
            module = importlib.import_module('ansible_collections.allowlist.egress.plugins.%s.%s' % (kind, name))
            doc = yaml.safe_load(getattr(module, 'DOCUMENTATION', '') or '{}') or {}
            found.extend(('%s/%s' % (kind, name), r) for r in doc.get('requirements') or [])
    return found


def test_ee_context_installs_the_built_collection_and_picks_up_its_requirements(ee):
    context, containerfile, installed = ee['context'], ee['containerfile'], ee['installed']
    # What ansible-builder put in the context: the built collection, where requirements.yml names it.
    assert (context / '_build' / 'collections' / 'allowlist-egress.tar.gz').read_bytes() == \
        (ee['definition'] / 'allowlist-egress.tar.gz').read_bytes()
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert galaxy == {'collections': [{'name': 'collections/allowlist-egress.tar.gz', 'type': 'file'}]}
    assert 'COPY _build /build\nWORKDIR /build\n' in containerfile
    assert ('RUN ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS '
            '-r requirements.yml --collections-path "%s"' % EE_COLLECTIONS) in containerfile
    # The image gets an ansible-core of the kind these tests run with.
    core = yaml.safe_load(open(os.path.join(AWX, 'execution-environment.yml')))['dependencies']['ansible_core']['package_pip']
    assert 'ARG ANSIBLE_INSTALL_REFS="%s ansible-runner"' % core in containerfile, containerfile
    assert SpecifierSet(core.split('ansible-core', 1)[1]).contains(ansible_version)

    # The galaxy stage (run by the fixture) installed the artifact of this repository, with its requirement files.
    manifest = json.loads((installed / 'MANIFEST.json').read_text())['collection_info']
    assert (manifest['namespace'], manifest['name']) == ('allowlist', 'egress')
    assert manifest['version'] == yaml.safe_load(open(os.path.join(ROOT, 'galaxy.yml')))['version']
    meta = yaml.safe_load((installed / 'meta' / 'execution-environment.yml').read_text())
    assert meta['dependencies'] == {'python': 'requirements.txt', 'system': 'bindep.txt'}
    for name in meta['dependencies'].values():
        assert (installed / name).read_text() == open(os.path.join(ROOT, name)).read()

    # The builder stage's introspect step, with the Containerfile's own arguments, over the installed collections.
    (step,) = [line for line in containerfile.splitlines() if '/output/scripts/introspect.py introspect' in line]
    args = step.split('introspect.py introspect', 1)[1].split()
    assert args == ['--write-bindep=/tmp/src/bindep.txt', '--write-pip=/tmp/src/requirements.txt']
    src = ee['tmp'] / 'src'
    args = [a.replace('=/tmp/src/', '=%s/' % src) for a in args]
    run([sys.executable, str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect'] + args
        + [str(ee['collections'])], ee['tmp'], ee['env'])
    pip = (src / 'requirements.txt').read_text().splitlines()
    wanted_pip = requirement_names(open(os.path.join(ROOT, 'requirements.txt')))
    assert requirement_names(pip) == wanted_pip
    assert set(wanted_pip) >= {'dnspython', 'netaddr', 'requests', 'boto3', 'botocore'}
    assert all(line.endswith('# from collection allowlist.egress') for line in pip)
    bindep_text = (src / 'bindep.txt').read_text()
    assert all(line.endswith('# from collection allowlist.egress') for line in bindep_text.splitlines())

    # What the image's package manager is then asked for (assemble runs `bindep -l newline`), per platform: the tools
    # of nftables_set and ipset, and the D-Bus modules of firewalld_ipset.
    from bindep.depends import Depends
    depends = Depends(bindep_text)
    for platform, python_libs in (
            (['platform:rpm', 'platform:redhat', 'platform:centos'], ['python3-dns', 'python3-netaddr', 'python3-requests']),
            (['platform:dpkg', 'platform:debian'], ['python3-dnspython', 'python3-netaddr', 'python3-requests'])):
        packages = sorted(rule[0] for rule in depends.active_rules(['default'] + platform))
        assert packages == sorted(python_libs + ['nftables', 'ipset', 'util-linux', 'python3-dbus', 'python3-firewall',
                                                 'iputils' if 'platform:rpm' in platform else 'iputils-ping'])
    # Every requirement a plugin documents is met by what the image gets.
    active = {'dpkg': set(r[0] for r in depends.active_rules(['default', 'platform:dpkg', 'platform:debian'])),
              'rpm': set(r[0] for r in depends.active_rules(['default', 'platform:rpm', 'platform:redhat']))}
    requirements = documented_requirements()
    assert len(requirements) >= 10
    for plugin, requirement in requirements:
        needs = [n for n in NEEDS if re.search(n[0], requirement)]
        assert needs, 'no EE package is known for %s\'s requirement %r: add it to NEEDS and bindep.txt' % (plugin, requirement)
        for _pattern, pip_names, dpkg, rpm in needs:
            assert set(pip_names) <= set(requirement_names(pip)), (plugin, requirement)
            assert set(dpkg) <= active['dpkg'] and set(rpm) <= active['rpm'], (plugin, requirement)

    # `ansible-builder introspect` (what the README tells a collection maintainer to run) shows the same.
    shown = yaml.safe_load(run([os.path.join(BIN, 'ansible-builder'), 'introspect', str(ee['collections'])],
                               ee['tmp'], ee['env']).split('---', 1)[1])
    assert requirement_names(shown['python']) == wanted_pip
    assert 'python3-firewall [platform:dpkg platform:rpm]  # from collection allowlist.egress' in shown['system']


# -- a job template run through ansible-runner ----------------------------------------------------------------------

FEED = '# partner egress\n198.51.100.0/25\n2001:db8:100::/48\n'
SYNC_TASK = 'Sync the plan into every target'


@pytest.fixture
def firewall():
    ns = Netns('a16-awx').create()
    try:
        yield ns
    finally:
        ns.destroy()


def private_data_dir(path, ee, fw, https_server, ca_file):
    """What AWX writes for a job of the job template: the project, the inventory, extra vars, environment."""
    (path / 'env').mkdir(parents=True)
    (path / 'inventory').mkdir()
    shutil.copytree(os.path.join(AWX, 'project'), str(path / 'project'))
    wrapper = fw.python_wrapper(path / 'python-in-fw')
    # The host of the group "firewalls" is the namespace: modules run in it, the plan is made on the controller.
    (path / 'inventory' / 'hosts').write_text(
        '[firewalls]\nfw ansible_connection=local ansible_python_interpreter=%s ansible_become=false\n' % wrapper)
    extravars = yaml.safe_load(open(os.path.join(AWX, 'extravars.yml')))
    feed = extravars['egress_sync_sources'][1]
    assert feed['url'] == 'https://feeds.example.net/partner-egress.txt'
    feed.update(url=https_server.url('/partner-egress.txt'), ca_path=ca_file)
    (path / 'env' / 'extravars').write_text(yaml.safe_dump(extravars))
    (path / 'env' / 'settings').write_text(yaml.safe_dump({'job_timeout': 240}))
    return ee['collections']


def runner_job(path, ident, check, collections):
    """One job: `ansible-runner run`, as AWX's worker does; returns (status, rc, events, output, job stdout)."""
    # Each job runs in a fresh container: its own home, so its own (empty) fetch cache.
    (path / 'env' / 'envvars').write_text(yaml.safe_dump({
        'ANSIBLE_COLLECTIONS_PATH': str(collections),  # the EE's /usr/share/ansible/collections
        'ANSIBLE_HOME': str(path / 'home' / ident / '.ansible'), 'XDG_CACHE_HOME': str(path / 'home' / ident / '.cache'),
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable, 'ANSIBLE_NOCOLOR': '1'}))
    cmdline = path / 'env' / 'cmdline'
    if check:
        cmdline.write_text('--check --diff')  # job type "Check", "Show Changes" ticked
    elif cmdline.exists():
        cmdline.unlink()
    proc = subprocess.run([os.path.join(BIN, 'ansible-runner'), 'run', str(path), '--playbook', 'sync.yml',
                           '--ident', ident], env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300, check=False)
    artifacts = path / 'artifacts' / ident
    events = []
    for name in glob.glob(str(artifacts / 'job_events' / '*.json')):
        with open(name) as f:
            events.append(json.load(f))
    events.sort(key=lambda e: e['counter'])
    command = json.loads((artifacts / 'command').read_text())['command']
    assert ('--check' in command) == check and ('--diff' in command) == check, command
    return ((artifacts / 'status').read_text(), int((artifacts / 'rc').read_text()), events, proc.stdout,
            (artifacts / 'stdout').read_text())


def ok_results(events, task):
    return [e['event_data']['res'] for e in events
            if e['event'] == 'runner_on_ok' and e['event_data'].get('task') == task]


def summary_lines(events):
    """The role's summary line per target: one loop item each, so one runner_item_on_ok event each."""
    return [e['event_data']['res']['msg'] for e in events
            if e['event'] == 'runner_item_on_ok' and e['event_data'].get('task') == 'Summary']


def elements(fw, name):
    found = fw.nft_set('inet', 'filter', name)
    if found is None:
        return None
    out = []
    for item in found.get('elem', []):
        value = item['elem']['val'] if isinstance(item, dict) and 'elem' in item else item
        comment = item['elem'].get('comment') if isinstance(item, dict) and 'elem' in item else None
        if isinstance(value, dict):
            value = '%s/%d' % (value['prefix']['addr'], value['prefix']['len'])
        out.append((value, comment))
    return sorted(out)


def test_job_template_check_then_run_through_ansible_runner(tmp_path, ee, firewall, https_server, ca_file):
    https_server.serve('/partner-egress.txt', FEED, content_type='text/plain')
    pdd = tmp_path / 'pdd'
    collections = private_data_dir(pdd, ee, firewall, https_server, ca_file)
    kernel = firewall.ruleset()

    # The "Check" job: the plan in the events and the job output, nothing in the kernel.
    status, rc, events, out, stdout = runner_job(pdd, 'check', True, collections)
    assert (status, rc) == ('successful', 0), out
    (synced,) = ok_results(events, SYNC_TASK)
    digest = synced['plan_digest']
    assert re.match(r'^[0-9a-f]{64}$', digest), digest
    assert synced['changed'] is True
    assert [(t['object'], t['family'], t['before_count'], t['after_count'], t['added_count'], t['removed_count'],
             t['added'], t['plan_digest']) for t in synced['targets']] == [
        ('egress_allow_v4', 4, 0, 2, 2, 0, ['192.0.2.0/28', '198.51.100.0/25'], digest),
        ('egress_allow_v6', 6, 0, 1, 1, 0, ['2001:db8:100::/48'], digest)]
    after = synced['diff'][0]['after']
    assert '192.0.2.0/28  # partner VPN' in after and '198.51.100.0/25  # egress_ranges:custom' in after, after
    lines = summary_lines(events)
    assert len(lines) == 2 and all('plan %s' % digest[:12] in line for line in lines), lines
    assert all('"egress_ranges:custom": "network"' in line for line in lines), lines
    assert lines[0].startswith('nftables_set egress_allow_v4: 2 entries, plan %s' % digest[:12])
    assert 'added 2 192.0.2.0/28 198.51.100.0/25; removed 0' in lines[0], lines[0]
    assert 'plan %s' % digest[:12] in stdout and 'partner VPN' in stdout  # AWX's job output (with --diff)
    # The collection ran from the EE's collections path, not from this repository.
    paths = [e['event_data']['task_path'] for e in events if e['event'] == 'playbook_on_task_start'
             and e['event_data'].get('task') == SYNC_TASK]
    assert paths and all(p.startswith(str(ee['installed'] / 'roles' / 'egress_sync')) for p in paths), paths
    (stats,) = [e['event_data'] for e in events if e['event'] == 'playbook_on_stats']
    assert stats['failures'] == {} and stats['changed'].get('fw', 0) >= 1
    assert firewall.ruleset() == kernel, 'the Check job changed the kernel'
    assert elements(firewall, 'egress_allow_v4') is None

    # The "Run" job: the same plan goes in.
    status, rc, events, out, stdout = runner_job(pdd, 'run', False, collections)
    assert (status, rc) == ('successful', 0), out
    (synced,) = ok_results(events, SYNC_TASK)
    assert synced['plan_digest'] == digest and synced['changed'] is True
    assert [(t['object'], t['added_count'], t['removed_count']) for t in synced['targets']] == [
        ('egress_allow_v4', 2, 0), ('egress_allow_v6', 1, 0)]
    assert elements(firewall, 'egress_allow_v4') == [('192.0.2.0/28', 'partner VPN'),
                                                     ('198.51.100.0/25', 'egress_ranges:custom')]
    assert elements(firewall, 'egress_allow_v6') == [('2001:db8:100::/48', 'egress_ranges:custom')]
    assert all('plan %s' % digest[:12] in line for line in summary_lines(events))

    # The nightly schedule of the "Run" job: nothing new, nothing changed.
    applied = firewall.ruleset()
    status, rc, events, out, stdout = runner_job(pdd, 'nightly', False, collections)
    assert (status, rc) == ('successful', 0), out
    (synced,) = ok_results(events, SYNC_TASK)
    assert synced['plan_digest'] == digest and synced['changed'] is False
    assert [(t['object'], t['before_count'], t['after_count'], t['added_count'], t['removed_count'])
            for t in synced['targets']] == [('egress_allow_v4', 2, 2, 0, 0), ('egress_allow_v6', 1, 1, 0, 0)]
    (stats,) = [e['event_data'] for e in events if e['event'] == 'playbook_on_stats']
    assert stats['changed'].get('fw', 0) == 0 and stats['failures'] == {}
    lines = summary_lines(events)
    assert len(lines) == 2 and all(line.split('; added ')[1].split() == ['0', ';', 'removed', '0'] for line in lines), lines
    assert firewall.ruleset() == applied
    # Every job fetched the feed once, whatever the number of targets.
    assert len(https_server.requests_for('/partner-egress.txt')) == 3


def test_a_failing_feed_fails_the_job_and_touches_nothing(tmp_path, ee, firewall, https_server, ca_file):
    """The job fails (AWX shows "Failed" and runner's rc) naming the feed, and the kernel is as it was."""
    https_server.serve('/partner-egress.txt', '# partner egress\n0.0.0.0/0\n', content_type='text/plain')
    pdd = tmp_path / 'pdd'
    collections = private_data_dir(pdd, ee, firewall, https_server, ca_file)
    kernel = firewall.ruleset()
    status, rc, events, out, stdout = runner_job(pdd, 'run', False, collections)
    assert status == 'failed' and rc != 0, out
    failed = [e['event_data'] for e in events if e['event'] == 'runner_on_failed']
    assert failed and '0.0.0.0/0' in json.dumps(failed[0]['res']) and 'partner-egress.txt' in json.dumps(failed[0]['res'])
    assert ok_results(events, SYNC_TASK) == []
    assert firewall.ruleset() == kernel


def test_the_readme_shows_the_files_of_docs_awx():
    """The README's AWX section is what users copy: each file of docs/awx, as it is, in a fenced block."""
    with open(os.path.join(ROOT, 'README.md')) as f:
        readme = f.read()
    section = readme.split('\n## AWX / Automation Platform\n', 1)[1].split('\n## ', 1)[0]
    blocks = re.findall(r'^```[a-z]*\n(.*?)^```$', section, re.S | re.M)
    for name in ('execution-environment.yml', 'requirements.yml', 'project/sync.yml', 'extravars.yml', 'inventory'):
        with open(os.path.join(AWX, name)) as f:
            text = f.read()
        assert any(text in block for block in blocks), name
