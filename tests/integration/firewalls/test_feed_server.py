# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The feed_server role and the address_feed module against a real nginx, from other network namespaces.

The role writes its drop-in into a temporary directory (never /etc/nginx); nginx runs in a namespace `i14f-srv-*`
with its own -c and -p. A consumer in `i14f-cli-*` pulls the feed with the egress_ranges `custom` source over HTTPS
(trusting the trustme CA) into an nftables set there; a third namespace `i14f-out-*` is not on the allowlist.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import trustme
import yaml

from ansible_collections.allowlist.egress.plugins.module_utils import _address_set
from ansible_collections.allowlist.egress.plugins.module_utils.targets._address_feed import AddressFeed
from tests.integration.conftest import Ansible
from tests.support.netns import link

PORT = 8443
SERVER = '198.51.100.1'
USER, PASSWORD = 'feeds', 's3cret-Feed-pw'

FETCH = r'''
import http.client, json, ssl, sys
args = json.loads(sys.argv[1])
context = ssl.create_default_context(cafile=args['ca'])
conn = http.client.HTTPSConnection(args['host'], args['port'], context=context, timeout=5)
conn.request(args.get('method', 'GET'), args['path'], headers=args.get('headers', {}))
response = conn.getresponse()
print(json.dumps({'status': response.status, 'headers': dict(response.getheaders()),
                  'body': response.read().decode('utf-8', 'replace')}))
'''


def fetch(ns, ca, path, auth=True, **kwargs):
    headers = dict(kwargs.pop('headers', {}))
    if auth:
        headers['Authorization'] = 'Basic ' + base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()
    args = dict(ca=ca, host=SERVER, port=PORT, path=path, headers=headers, **kwargs)
    return json.loads(ns.run([sys.executable, '-c', FETCH, json.dumps(args)]).stdout)


NGINX_CONF = '''user root;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/conf.d/*.conf;
}}
'''


@pytest.fixture
def lab(netns, tmp_path):
    if not shutil.which('nginx'):
        pytest.fail('nginx is missing (scripts/bootstrap.sh installs it)')
    srv, cli, out = netns('i14f-srv'), netns('i14f-cli'), netns('i14f-out')
    link(srv, cli, [SERVER + '/24'], ['198.51.100.2/24'])
    # A second pair of the server: link() names each end after its namespace, so this one is made here.
    left, right = 'w%s' % srv.name[-8:], 'w%s' % out.name[-8:]
    subprocess.run(['ip', 'link', 'add', left, 'netns', srv.name, 'type', 'veth', 'peer', 'name', right, 'netns',
                    out.name], check=True)
    for ns, ifname, address in ((srv, left, '203.0.113.1/24'), (out, right, '203.0.113.2/24')):
        ns.run(['ip', 'addr', 'add', address, 'dev', ifname])
        ns.run(['ip', 'link', 'set', ifname, 'up'])
    out.run(['ip', 'route', 'add', '198.51.100.0/24', 'via', '203.0.113.1'])
    srv.run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=0'])
    ca = trustme.CA()
    cert = ca.issue_cert(SERVER)
    nginx = tmp_path / 'nginx'
    (nginx / 'conf.d').mkdir(parents=True)
    (nginx / 'nginx.conf').write_text(NGINX_CONF.format(d=nginx))
    cert.private_key_pem.write_to_path(str(nginx / 'key.pem'))
    cert.cert_chain_pems[0].write_to_path(str(nginx / 'cert.pem'))
    ca_file = str(tmp_path / 'ca.pem')
    ca.cert_pem.write_to_path(ca_file)
    feeds = tmp_path / 'feeds'
    feeds.mkdir()
    role_vars = {
        'feed_server_dir': str(feeds), 'feed_server_port': PORT, 'feed_server_listen': ['0.0.0.0'],
        'feed_server_tls_cert': str(nginx / 'cert.pem'), 'feed_server_tls_key': str(nginx / 'key.pem'),
        'feed_server_allow': ['198.51.100.2/32'], 'feed_server_basic_auth': {'user': USER, 'password': PASSWORD},
        'feed_server_conf_dir': str(nginx / 'conf.d'), 'feed_server_htpasswd': str(nginx / 'feeds.htpasswd'),
        'feed_server_nginx_conf': str(nginx / 'nginx.conf'), 'feed_server_nginx_prefix': str(nginx),
        'feed_server_install': False, 'feed_server_manage_service': False, 'feed_server_nginx_group': 'root',
    }
    (tmp_path / 'server').mkdir()
    (tmp_path / 'client').mkdir()
    return dict(srv=srv, cli=cli, out=out, nginx=nginx, ca=ca_file, feeds=feeds, vars=role_vars,
                server=Ansible(tmp_path / 'server', prefix=srv.prefix), client=Ansible(tmp_path / 'client', prefix=cli.prefix))


def run_role(lab, **extra):
    """The role with the lab's variables as play variables (so that a case can override them)."""
    path = lab['server'].tmp_path / 'role.yml'
    path.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'vars': dict(lab['vars'], **extra),
                                     'roles': [{'role': 'allowlist.egress.feed_server'}]}]))
    return lab['server'].run_playbook(str(path))


def start_nginx(lab):
    """nginx with the lab's own configuration, in the server namespace (no feed server in it yet)."""
    lab['srv'].popen(['nginx', '-c', str(lab['nginx'] / 'nginx.conf'), '-p', str(lab['nginx']), '-g', 'daemon off;'])
    for attempt in range(100):
        if (lab['nginx'] / 'nginx.pid').exists():
            return
        time.sleep(0.05)
    raise AssertionError('nginx did not start: %s' % (lab['nginx'] / 'error.log').read_text())


def wait_for_port(lab):
    for attempt in range(100):
        proc = lab['cli'].run([sys.executable, '-c', 'import socket; socket.create_connection(("%s", %d), 1)'
                               % (SERVER, PORT)], check=False)
        if proc.returncode == 0:
            return
        time.sleep(0.05)
    raise AssertionError('nginx does not listen on %s:%d: %s' % (SERVER, PORT, (lab['nginx'] / 'error.log').read_text()))


def write_feed(lab, addresses, fmt='cisco_ftd', name='egress.txt'):
    """The module's logic, called directly (tests/integration/test_address_feed.py runs it through Ansible)."""
    backend = AddressFeed(str(lab['feeds'] / name), fmt)
    return _address_set.sync(backend, dict(state='replaced', addresses=addresses, max_removals='100%',
                                           lock_file=str(lab['feeds']) + '.lock'))


def pull(lab):
    """The consumer: our own egress_ranges custom source over HTTPS, into nftables sets of its namespace; the text feed
    (cisco_ftd, whose # lines the text format skips) into feed_v4, the JSON one (read with a selector, as Check
    Point reads it with jq) into feed_json."""
    def query(name, fmt, selector=''):
        url = 'https://%s:%s@%s:%d/%s' % (USER, PASSWORD, SERVER, PORT, name)
        return ("{{ query('allowlist.egress.egress_ranges', 'custom', url='%s', format='%s', selector='%s', ca_path='%s', "
                "cache_dir='%s', cache_ttl=0) }}" % (url, fmt, selector, lab['ca'], lab['client'].tmp_path / 'cache'))
    tasks = [{'name': name, 'allowlist.egress.nftables_set': {'table': 'filter', 'set': name, 'max_removals': '100%',
                                                              'addresses': query(*feed)}}
             for name, feed in (('feed_v4', ('egress.txt', 'text')), ('feed_json', ('egress.json', 'json', 'entries[].address')))]
    results, proc = lab['client'].playbook(tasks)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sets = []
    for name in ('feed_v4', 'feed_json'):
        elements = lab['cli'].nft_set('inet', 'filter', name).get('elem', [])
        sets.append(sorted(e if isinstance(e, str) else '%s/%s' % (e['prefix']['addr'], e['prefix']['len'])
                           for e in elements))
    return results['feed_v4'], results['feed_json'], sets


def access_statuses(lab, name):
    lines = (lab['nginx'] / 'access.log').read_text().splitlines()
    return [int(line.split('"')[2].split()[0]) for line in lines if ('GET /%s ' % name) in line]


def test_a_consumer_pulls_the_feed_with_304_auth_and_allowlist(lab):
    start_nginx(lab)
    reload_command = ['nginx', '-c', str(lab['nginx'] / 'nginx.conf'), '-p', str(lab['nginx']), '-s', 'reload']
    lab['vars']['feed_server_reload_command'] = reload_command
    results, proc = run_role(lab)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr
    conf = (lab['nginx'] / 'conf.d' / 'allowlist-egress-feeds.conf').read_text()
    assert 'allow 198.51.100.2/32;\n    deny all;' in conf and 'auth_basic_user_file' in conf
    htpasswd = (lab['nginx'] / 'feeds.htpasswd').read_text()
    assert htpasswd.startswith(USER + ':$6$') and PASSWORD not in htpasswd
    assert oct(os.stat(str(lab['nginx'] / 'feeds.htpasswd')).st_mode & 0o777) == '0o640'
    wait_for_port(lab)  # the configuration went live through the reload command, after nginx -t
    results, proc = run_role(lab)
    assert proc.returncode == 0 and 'changed=0' in proc.stdout, proc.stdout  # idempotent, the hash included
    assert (lab['nginx'] / 'feeds.htpasswd').read_text() == htpasswd

    first_list = [{'address': '192.0.2.0/25', 'comment': 'egress_ranges:atlas'}, '203.0.113.7']
    write_feed(lab, first_list)
    write_feed(lab, first_list, fmt='json', name='egress.json')

    text, json_feed, sets = pull(lab)
    assert text['changed'] and json_feed['changed'] and sets == [['192.0.2.0/25', '203.0.113.7']] * 2
    # A direct request: ETag and Last-Modified, then If-None-Match answers 304 with no body.
    first = fetch(lab['cli'], lab['ca'], '/egress.txt')
    assert first['status'] == 200 and first['headers']['ETag'] and first['headers']['Last-Modified']
    assert first['body'].startswith('# allowlist.egress address_feed: cisco_ftd feed, 2 entries')
    again = fetch(lab['cli'], lab['ca'], '/egress.txt', headers={'If-None-Match': first['headers']['ETag']})
    assert again['status'] == 304 and again['body'] == ''
    since = fetch(lab['cli'], lab['ca'], '/egress.txt', headers={'If-Modified-Since': first['headers']['Last-Modified']})
    assert since['status'] == 304
    # An unchanged sync keeps the file, so the ETag stays and the consumer's next conditional GET gets 304.
    assert not write_feed(lab, first_list)['changed']
    text, json_feed, sets = pull(lab)
    assert not text['changed'] and sets[0] == ['192.0.2.0/25', '203.0.113.7']
    assert access_statuses(lab, 'egress.txt')[-1] == 304 and access_statuses(lab, 'egress.json')[-1] == 304

    # A changed feed is picked up.
    write_feed(lab, ['192.0.2.0/25', '198.51.100.64/26'])
    write_feed(lab, ['192.0.2.0/25', '198.51.100.64/26'], fmt='json', name='egress.json')
    assert fetch(lab['cli'], lab['ca'], '/egress.txt')['headers']['ETag'] != first['headers']['ETag']
    text, json_feed, sets = pull(lab)
    assert text['changed'] and sets == [['192.0.2.0/25', '198.51.100.64/26']] * 2
    assert access_statuses(lab, 'egress.txt')[-1] == 200

    # Basic authentication: 401 without it or with a wrong password.
    assert fetch(lab['cli'], lab['ca'], '/egress.txt', auth=False)['status'] == 401
    wrong = 'Basic ' + base64.b64encode(b'feeds:wrong-password').decode()
    assert fetch(lab['cli'], lab['ca'], '/egress.txt', auth=False, headers={'Authorization': wrong})['status'] == 401
    # The consumer allowlist: another namespace, with the right password, gets 403.
    assert fetch(lab['out'], lab['ca'], '/egress.txt')['status'] == 403
    # Only GET and HEAD; no listing; hidden files (a feed being written) are not served.
    assert fetch(lab['cli'], lab['ca'], '/egress.txt', method='POST')['status'] == 403
    assert fetch(lab['cli'], lab['ca'], '/egress.txt', method='HEAD')['status'] == 200
    assert fetch(lab['cli'], lab['ca'], '/')['status'] in (403, 404)
    (lab['feeds'] / '.egress.txt.tmp').write_text('192.0.2.99/32\n')
    assert fetch(lab['cli'], lab['ca'], '/.egress.txt.tmp')['status'] == 403

    # A configuration nginx rejects (a missing certificate) is rolled back and never reloaded.
    conf_file = lab['nginx'] / 'conf.d' / 'allowlist-egress-feeds.conf'
    results, proc = run_role(lab, feed_server_tls_cert=str(lab['nginx'] / 'missing.pem'),
                             feed_server_basic_auth={'user': 'other', 'password': 'another-password'})
    assert proc.returncode != 0 and 'nginx rejected the configuration' in proc.stdout and 'missing.pem' in proc.stdout
    assert conf_file.read_text() == conf and (lab['nginx'] / 'feeds.htpasswd').read_text() == htpasswd
    assert 'another-password' not in proc.stdout + proc.stderr
    assert fetch(lab['cli'], lab['ca'], '/egress.txt')['status'] == 200


BAD = [
    ({'feed_server_allow': ['198.51.100.0/33']}, 'not networks: ["198.51.100.0/33"]'),
    ({'feed_server_allow': ['0.0.0.0/0']}, '["0.0.0.0/0"] wider than /8 (IPv4) or /16 (IPv6) would let nearly anyone read'),
    ({'feed_server_allow': ['192.0.2.0/24; allow all']}, 'not networks: ["192.0.2.0/24; allow all"]'),
    ({'feed_server_dir': '/srv/feeds\n'}, 'feed_server_dir must be an absolute path'),
    ({'feed_server_port': 70000}, 'feed_server_port must be an integer in 1..65535'),
    ({'feed_server_basic_auth': {'user': 'a:b', 'password': 'long-enough'}}, 'user given: "a:b"'),
    ({'feed_server_basic_auth': {'user': 'feeds', 'password': 'pw\nx:y-long'}}, None),
    # Everyone, spelled otherwise, or in halves: networks wider than /8 or /16 are refused by value.
    ({'feed_server_allow': ['0::/0']}, '["0::/0"] wider than /8 (IPv4) or /16 (IPv6)'),
    ({'feed_server_allow': ['::0/0']}, '["::0/0"] wider than'),
    ({'feed_server_allow': ['198.51.100.2/32', '0.0.0.0/1', '128.0.0.0/1']}, '["0.0.0.0/1", "128.0.0.0/1"] wider than'),
    ({'feed_server_allow': ['::ffff:0:0/96']}, '["::ffff:0:0/96"] wider than'),
    # A system directory would be published whole.
    ({'feed_server_dir': '/'}, 'feed_server_dir "/" is / or a system directory'),
    ({'feed_server_dir': '/etc/nginx/feeds/'}, 'feed_server_dir "/etc/nginx/feeds/" is / or a system directory'),
    ({'feed_server_dir': '/usr'}, 'feed_server_dir "/usr" is / or a system directory'),
    ({'feed_server_dir': '/lib64/'}, 'is / or a system directory'),
    ({'feed_server_dir': '/var/tmp'}, 'is / or a system directory'),
    ({'feed_server_dir': '/root'}, 'is / or a system directory'),
    ({'feed_server_dir': '//etc'}, 'no // or /./'),
    ({'feed_server_dir': '/srv/./feeds'}, 'no // or /./'),
]


def inside_feed_dir(lab):
    """The password file and the TLS key in the served directory (they would be published)."""
    return [({'feed_server_htpasswd': str(lab['feeds'] / 'feeds.htpasswd')}, 'feed_server_htpasswd "%s/feeds.htpasswd" '
             'is inside feed_server_dir' % lab['feeds']),
            ({'feed_server_tls_key': str(lab['feeds']) + '/sub/key.pem', 'feed_server_dir': str(lab['feeds']) + '/'},
             'feed_server_tls_key "%s/sub/key.pem" is inside feed_server_dir' % lab['feeds'])]


def test_bad_variables_are_refused_before_any_file_is_touched(lab):
    cases = BAD + inside_feed_dir(lab)
    # One play, one block per case: each include of the role must fail in its checks, naming the value.
    # A case that moves feed_server_dir runs in check mode: should its check ever regress, the role must not go on
    # to create or chmod /etc/..., /var/tmp or /root on the host.
    include = dict(name='allowlist.egress.feed_server')
    tasks = [{'block': [{'name': 'case %d' % index, 'vars': bad, 'ansible.builtin.include_role':
                         dict(include, apply={'check_mode': True}) if 'feed_server_dir' in bad else include}],
              'rescue': [{'name': 'refused %d' % index, 'ansible.builtin.debug': {'msg': 'refused'}}]}
             for index, (bad, _message) in enumerate(cases)]
    path = lab['server'].tmp_path / 'bad.yml'
    path.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'vars': lab['vars'], 'tasks': tasks}]))
    results, proc = lab['server'].run_playbook(str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    failed = [r for r in lab['server'].last_results if r['result'].get('_status') == 'failed']
    assert len(failed) == len(cases) and all('refused %d' % i in results for i in range(len(cases)))
    for (bad, message), result in zip(cases, failed):
        assert result['task'].split(' : ')[-1].startswith('Check'), (bad, result['task'])
        if message is None:  # the password: its check is no_log, so it is named by the task only
            assert result['task'].split(' : ')[-1].startswith('Check the password') and 'x:y-long' not in json.dumps(result)
        else:
            messages = [result['result'].get('msg', '')] + [r.get('msg', '') for r in result['result'].get('results', [])]
            assert any(message in m for m in messages), (bad, result)
    assert os.listdir(str(lab['nginx'] / 'conf.d')) == [] and not (lab['nginx'] / 'feeds.htpasswd').exists()
    assert 'long-enough' not in proc.stdout and 'x:y-long' not in proc.stdout


def test_a_failed_reload_puts_the_files_back_and_the_next_run_retries(lab):
    """Without the rollback, the second run would find its files in place, report changed=0 and never reload.
    Both runs are in one play (one ansible-playbook start), each a fresh include of the role."""
    os.chmod(str(lab['feeds']), 0o750)  # an existing feed directory keeps the mode its owner gave it
    conf = str(lab['nginx'] / 'conf.d' / 'allowlist-egress-feeds.conf')
    tasks = [{'block': [{'name': 'run %d' % run, 'ansible.builtin.include_role': {'name': 'allowlist.egress.feed_server'}}],
              'rescue': [{'name': 'after %d' % run, 'ansible.builtin.stat': {'path': conf}}]} for run in (1, 2)]
    path = lab['server'].tmp_path / 'reload.yml'
    path.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks,
                                     'vars': dict(lab['vars'], feed_server_reload_command=['false'])}]))
    results, proc = lab['server'].run_playbook(str(path))
    reloads = [r for r in lab['server'].last_results if r['task'].endswith('Reload nginx with the command given')]
    assert [r['result'].get('_status') for r in reloads] == ['failed', 'failed'], proc.stdout  # the second retried
    fails = [r['result'].get('msg', '') for r in lab['server'].last_results if r['task'].endswith('Fail, naming what failed')]
    assert len(fails) == 2 and all(m == 'nginx could not be reloaded or started (task "Reload nginx with the command '
                                        'given"), so the previous files were put back and the next run tries again: '
                                        'non-zero return code' for m in fails), fails
    assert not results['after 1']['stat']['exists'] and not results['after 2']['stat']['exists']
    assert os.listdir(str(lab['nginx'] / 'conf.d')) == [] and not (lab['nginx'] / 'feeds.htpasswd').exists()
    assert os.stat(str(lab['feeds'])).st_mode & 0o777 == 0o750
