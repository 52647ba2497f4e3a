# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""allowlist.egress.atlas_access_list through ansible-playbook, against tests/support/atlas_api.py: an emulator
of the documented Atlas Admin API v2 and App Services admin API (Atlas itself cannot run here), over HTTPS."""

from __future__ import annotations

import json
import os
import sys

import boto3
import pytest

from tests.conftest import ROOT
from tests.support.atlas_api import AtlasApi
from tests.support.moto_server import ENV

MODULE = 'allowlist.egress.atlas_access_list'


@pytest.fixture
def atlas(tmp_path):
    api = AtlasApi(page_size=2).start()
    ca = api.write_ca(str(tmp_path / 'atlas-ca.pem'))
    yield api, ca
    api.stop()


def task(api, ca, title, ignore_errors=False, check=None, diff=None, **args):
    base = dict(group_id=api.group_id, base_url=api.url(), ca_path=ca, public_key='pubkey', private_key='privkey',
                target='project')
    base.update(args)
    t = {'name': title, MODULE: base, 'register': 'r'}
    if ignore_errors:
        t['ignore_errors'] = True
    if check is not None:
        t['check_mode'] = check
    if diff is not None:
        t['diff'] = diff
    return t


def test_project_states_ownership_and_requests(ansible, atlas):
    api, ca = atlas
    api.project.update({'198.51.100.0/24': 'office, by hand', '0.0.0.0/0': ''})
    first = ['192.0.2.10', '192.0.2.12', '203.0.113.0/24']
    results, proc = ansible.playbook([
        task(api, ca, 'plan', check=True, diff=True, addresses=first, comment='OutSystems front-ends'),
        task(api, ca, 'apply', addresses=first, comment='OutSystems front-ends', remove_allow_all=True),
        task(api, ca, 'again', addresses=first, comment='OutSystems front-ends', remove_allow_all=True, return_commands=True),
        task(api, ca, 'replace', addresses=['192.0.2.10', '203.0.113.0/24', '198.51.100.0/24'],
             comment='OutSystems front-ends', max_removals='1'),
        task(api, ca, 'merge', state='merged', addresses=['192.0.2.99']),
        task(api, ca, 'delete', state='deleted', addresses=['192.0.2.99']),
        task(api, ca, 'gather', state='gathered'),
        task(api, ca, 'render', state='rendered', addresses=['192.0.2.1']),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['plan']['changed']
    assert results['plan']['diff']['after'].count('# OutSystems front-ends') == 3
    apply = results['apply']
    assert apply['changed'] and apply['removed_allow_all'] is True
    # The module's own, shortened invocation is still scrubbed of no_log values.
    assert apply['invocation']['module_args']['group_id'] == api.group_id and 'privkey' not in json.dumps(apply)
    assert sorted(u['address'] for u in apply['unmanaged']) == ['0.0.0.0/0', '198.51.100.0/24']
    assert results['again']['changed'] is False and results['again']['commands'] == []
    replace = results['replace']
    assert replace['removed'] == ['192.0.2.12/32'] and replace['kept_unmanaged'] == ['198.51.100.0/24']
    assert results['merge']['added'] == ['192.0.2.99/32'] and results['delete']['removed'] == ['192.0.2.99/32']
    gathered = dict((e['address'], e['comment']) for e in results['gather']['gathered'])
    assert gathered == {'192.0.2.10/32': 'allowlist.egress: OutSystems front-ends', '198.51.100.0/24': 'office, by hand',
                        '203.0.113.0/24': 'allowlist.egress: OutSystems front-ends'}
    assert results['render']['rendered'].startswith('POST /api/atlas/v2/groups/%s/accessList 192.0.2.1/32' % api.group_id)

    # What went over the wire: the plan and the gathered/rendered runs wrote nothing; the apply posted one list and
    # deleted 0.0.0.0/0 with its slash encoded; replace deleted one address; the hand-made entry was never touched.
    writes = [(r['method'], r['path'], r['body']) for r in api.writes()]
    base = '/api/atlas/v2/groups/%s/accessList' % api.group_id
    assert writes[0] == ('DELETE', base + '/0.0.0.0%2F0', None)
    assert writes[1] == ('POST', base, [{'ipAddress': '192.0.2.10', 'comment': 'allowlist.egress: OutSystems front-ends'},
                                        {'ipAddress': '192.0.2.12', 'comment': 'allowlist.egress: OutSystems front-ends'},
                                        {'cidrBlock': '203.0.113.0/24', 'comment': 'allowlist.egress: OutSystems front-ends'}])
    assert writes[2] == ('DELETE', base + '/192.0.2.12', None)
    assert writes[3][0] == 'POST' and writes[4] == ('DELETE', base + '/192.0.2.99', None) and len(writes) == 5
    assert not any('198.51.100.0' in r['path'] for r in api.writes())
    assert all(r['headers'].get('Accept') == 'application/vnd.atlas.2023-01-01+json'
               for r in api.requests if r['path'].startswith(base))
    # Pagination: the emulator serves two entries a page; every read walked all pages.
    assert any('pageNum=2' in r['query'] for r in api.requests)


def test_project_guards(ansible, atlas):
    api, ca = atlas
    api.project.update(dict(('192.0.2.%d/32' % (2 * i), 'allowlist.egress') for i in range(10)))
    before = dict(api.project)
    results, proc = ansible.playbook([
        task(api, ca, 'wipe', addresses=[], ignore_errors=True),
        task(api, ca, 'bad address', addresses=['192.0.2.1', 'atlas.example'], ignore_errors=True),
        task(api, ca, 'bad key', addresses=['192.0.2.1'], private_key='wrong', ignore_errors=True),
        task(api, ca, 'no key', addresses=['192.0.2.1'], public_key=None, private_key=None, ignore_errors=True),
        task(api, ca, 'too many', addresses=['10.0.%d.%d' % (i // 100, 2 * (i % 100)) for i in range(201)],
             force=True, ignore_errors=True),
    ])
    assert 'Refusing to remove 10 of 10 IPv4 addresses' in results['wipe']['msg']
    assert "'atlas.example' from addresses[1]" in results['bad address']['msg']
    assert 'HTTP 401' in results['bad key']['msg'] and 'NOT_IN_GROUP' in results['bad key']['msg']
    assert 'No Atlas credentials' in results['no key']['msg']
    assert 'more than the 200 Atlas allows per project' in results['too many']['msg']
    assert api.project == before and api.writes() == []
    assert not any(r['method'] != 'GET' for r in api.requests if 'atlas.example' in str(r['body']))


def test_rate_limit_and_service_account(ansible, atlas):
    api, ca = atlas
    api.throttle = 2
    results, proc = ansible.playbook([
        task(api, ca, 'throttled', addresses=['192.0.2.1'], public_key=None, private_key=None, client_id='mdb_sa_id',
             client_secret='secret'),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [r['method'] for r in api.requests[:3]] == ['POST', 'POST', 'POST']  # token: 429, 429, then 200
    assert api.requests[3]['headers']['Authorization'].startswith('Bearer ')
    assert api.project == {'192.0.2.1/32': 'allowlist.egress'}


def test_app_services(ansible, atlas):
    api, ca = atlas
    api.add_app_entry('0.0.0.0/0', '')
    api.add_app_entry('198.51.100.7', 'partner')
    app = dict(target='app_services', app_id=api.app_id)
    results, proc = ansible.playbook([
        task(api, ca, 'apply', addresses=['192.0.2.10', '203.0.113.0/24'], remove_allow_all=True, **app),
        task(api, ca, 'again', addresses=['192.0.2.10', '203.0.113.0/24'], remove_allow_all=True, **app),
        task(api, ca, 'describe', addresses=[{'address': '192.0.2.10', 'comment': 'fe01'}, '203.0.113.0/24'], **app),
        task(api, ca, 'bad key', addresses=['192.0.2.1'], private_key='wrong', ignore_errors=True, **app),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['apply']['removed_allow_all'] is True and results['again']['changed'] is False
    entries = sorted((e['address'], e['comment']) for e in api.app.values())
    assert entries == [('192.0.2.10', 'allowlist.egress: fe01'), ('198.51.100.7', 'partner'),
                       ('203.0.113.0/24', 'allowlist.egress')]
    methods = [(r['method'], r['path'].rsplit('/', 1)[-1] if r['method'] != 'POST' else '') for r in api.writes()]
    assert [m[0] for m in methods] == ['DELETE', 'POST', 'POST', 'PATCH']  # the comment change is a PATCH, not a delete
    assert all(r['headers']['Authorization'].startswith('Bearer ') for r in api.writes())
    assert 'failed to authenticate' in results['bad key']['msg'] or 'InvalidSession' in results['bad key']['msg']


def test_allow_all_needs_allow_anywhere(ansible, atlas):
    api, ca = atlas
    results, proc = ansible.playbook([
        task(api, ca, 'world', addresses=['192.0.2.1', '0.0.0.0/0'], ignore_errors=True),
        task(api, ca, 'world v6', addresses=['::/0'], ignore_errors=True),
        task(api, ca, 'two halves', addresses=['0.0.0.0/1', '128.0.0.0/1'], ignore_errors=True),
        task(api, ca, 'loopback', addresses=['127.0.0.1'], allow_anywhere=True, ignore_errors=True),
    ])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Refusing 0.0.0.0/0 from addresses[1]: it is the whole IPv4 address space' in results['world']['msg']
    assert 'allow_anywhere=true' in results['world']['msg']
    assert 'Refusing ::/0 from addresses[0]' in results['world v6']['msg']
    assert 'Refusing 0.0.0.0/1 from addresses[0]' in results['two halves']['msg']
    assert 'Refusing 127.0.0.1 from addresses[0]: it is in the loopback range' in results['loopback']['msg']
    assert api.writes() == [] and api.project == {}
    # The one legitimate case: Atlas's own "allow access from anywhere" entry, asked for explicitly.
    results, proc = ansible.playbook([task(api, ca, 'anywhere', addresses=['0.0.0.0/0'], allow_anywhere=True)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results['anywhere']['changed'] and api.project == {'0.0.0.0/0': 'allowlist.egress'}


PRIVATE_KEY = 'privkey-N0T-F0R-0UTPUT'


def test_the_documented_key_pattern_keeps_the_private_key_out_of_vvv_output(ansible, tmp_path):
    # README: the keys are module options fed from (vaulted) vars or the controller's environment. The
    # `environment:` keyword, which the README showed before, puts them on the command line that -vvv prints.
    api = AtlasApi(private_key=PRIVATE_KEY).start()
    try:
        ca = api.write_ca(str(tmp_path / 'atlas-ca.pem'))
        common = dict(target='project', group_id=api.group_id, base_url=api.url(), ca_path=ca, state='gathered')
        ansible.env['TEST_ATLAS_PRIVATE_KEY'] = PRIVATE_KEY
        documented = [
            {'name': 'from vars', MODULE: dict(common, public_key='{{ atlas_public_key }}',
                                               private_key='{{ atlas_private_key }}')},
            {'name': 'from the environment', MODULE: dict(
                common, public_key='pubkey', private_key="{{ lookup('ansible.builtin.env', 'TEST_ATLAS_PRIVATE_KEY') }}")},
        ]
        extra_vars = {'atlas_public_key': 'pubkey', 'atlas_private_key': PRIVATE_KEY}  # -e stands in for a vault
        results, proc = ansible.playbook(documented, verbose=True, extra_vars=extra_vars)
        assert results['from vars']['gathered'] == [] and results['from the environment']['gathered'] == [], proc.stdout
        assert PRIVATE_KEY not in proc.stdout + proc.stderr + json.dumps(ansible.last_results)
        assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in proc.stdout  # -vvv did print the module's invocation

        old = {'name': 'environment keyword', MODULE: common,
               'environment': {'MONGODB_ATLAS_PUBLIC_KEY': 'pubkey', 'MONGODB_ATLAS_PRIVATE_KEY': '{{ atlas_private_key }}'}}
        results, proc = ansible.playbook([old], verbose=True, extra_vars=extra_vars)
        assert results['environment keyword']['gathered'] == []
        assert PRIVATE_KEY in proc.stdout + proc.stderr  # why the README no longer shows it
    finally:
        api.stop()


def test_an_access_list_is_a_target_of_the_sync_pipeline(ansible, atlas, tmp_path):
    import os
    from tests.conftest import ROOT
    api, ca = atlas
    target = {'backend': 'atlas_access_list', 'target': 'project', 'group_id': api.group_id, 'base_url': api.url(),
              'ca_path': ca, 'public_key': 'pubkey', 'private_key': 'privkey'}
    extra = {'egress_sync_hosts': 'localhost', 'ansible_become': False, 'egress_sync_targets': [target],
             'egress_sync_sources': [{'type': 'egress_ranges', 'source': 'cloudgov'},
                                     {'type': 'static', 'addresses': ['192.0.2.10', '2001:db8::10'], 'comment': 'fe'}]}
    sync = os.path.join(ROOT, 'playbooks', 'sync.yml')
    results, proc = ansible.run_playbook(sync, extra_vars=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Both families in the one list, each entry with its source.
    assert api.project == {'52.222.122.97/32': 'allowlist.egress: egress_ranges:cloudgov',
                           '52.222.123.172/32': 'allowlist.egress: egress_ranges:cloudgov',
                           '192.0.2.10/32': 'allowlist.egress: fe', '2001:db8::10/128': 'allowlist.egress: fe'}
    results, proc = ansible.run_playbook(sync, extra_vars=extra)
    assert proc.returncode == 0 and 'changed=0' in proc.stdout, proc.stdout


def test_a_comment_the_access_list_cannot_store_fails_the_sync_before_the_first_target(ansible, atlas, moto_server):
    """egress_sync with a prefix list first and the access list second: a source comment of 100 characters fits
    the prefix list (255) but not Atlas (80 with its prefix), and the prefix list must not be created."""
    api, ca = atlas
    ansible.env.update(ENV)
    extra = {'egress_sync_hosts': 'localhost', 'ansible_become': False,
             'ansible_python_interpreter': sys.executable,
             'egress_sync_sources': [{'type': 'static', 'addresses': ['192.0.2.1'], 'comment': 'x' * 100}],
             'egress_sync_targets': [
                 {'backend': 'aws_prefix_list', 'name': 'egress', 'endpoint_url': moto_server.url},
                 {'backend': 'atlas_access_list', 'group_id': api.group_id, 'target': 'project', 'base_url': api.url(),
                  'ca_path': ca, 'public_key': 'pubkey', 'private_key': 'privkey'}]}
    results, proc = ansible.run_playbook(os.path.join(ROOT, 'playbooks', 'sync.yml'), extra_vars=extra)
    assert proc.returncode != 0
    client = boto3.client('ec2', endpoint_url=moto_server.url, region_name='us-east-1', aws_access_key_id='testing',
                          aws_secret_access_key='testing')
    assert [p for p in client.describe_managed_prefix_lists()['PrefixLists'] if p.get('OwnerId') != 'AWS'] == []
    assert api.project == {}
    assert 'Invalid comment at egress_sync_targets[1] (atlas_access_list %s)' % api.group_id in proc.stdout, proc.stdout
