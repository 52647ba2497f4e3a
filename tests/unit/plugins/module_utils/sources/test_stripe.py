# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stripe's webhook addresses: ips_webhooks.json ({"WEBHOOKS": [...]}) and its .txt twin."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError, FetchError
from ansible_collections.allowlist.egress.plugins.module_utils.sources._registry import get_source
from tests.support import feeds
from tests.support.sources import URL, engine, records


def test_json_and_text_twin():
    assert get_source('stripe').default_url == 'https://stripe.com/files/ips/ips_webhooks.json'
    assert records('stripe', feeds.body(feeds.STRIPE))[0] == ['192.0.2.63', '198.51.100.8', '203.0.113.93']
    assert records('stripe', feeds.STRIPE_TXT, url='https://m.test/ips_webhooks.txt')[0] == [
        '192.0.2.63', '198.51.100.8', '203.0.113.93']


@pytest.mark.parametrize('body, message', [
    (json.dumps({'API': ['192.0.2.1']}), 'expected an object with a WEBHOOKS list'),
    (json.dumps(feeds.STRIPE['WEBHOOKS']), 'expected an object with a WEBHOOKS list'),
    (json.dumps({'WEBHOOKS': []}), 'holds no addresses'),
    (json.dumps({'WEBHOOKS': None}), 'WEBHOOKS should be a list, got NoneType'),
    (json.dumps({'WEBHOOKS': '192.0.2.63'}), 'WEBHOOKS should be a list, got str'),
    (json.dumps({'WEBHOOKS': ['192.0.2.63', {'ip': '192.0.2.64'}]}), "WEBHOOKS should hold strings, got {'ip': '192.0.2.64'}"),
    ('<!DOCTYPE html><html>Stripe: Page not found</html>', 'an HTML page'),
])
def test_what_stripe_does_not_publish_is_refused(body, message):
    with pytest.raises(FetchError) as error:
        records('stripe', body)
    assert message in str(error.value) and URL in str(error.value)


def test_text_twin_refuses_html_and_empty():
    with pytest.raises(FetchError, match='returned an HTML page'):
        records('stripe', '<html><body>Access denied</body></html>', url='https://m.test/ips_webhooks.txt')
    with pytest.raises(FetchError, match='holds no addresses'):
        records('stripe', '\n# nothing\n', url='https://m.test/ips_webhooks.txt')


def test_through_the_engine(https_server, ca_file, tmp_path):
    result = engine('stripe', https_server, ca_file, tmp_path, feeds.body(feeds.STRIPE), path='/ips_webhooks.json')
    assert result['addresses'] == ['192.0.2.63/32', '198.51.100.8/32', '203.0.113.93/32']
    prov = result['provenance'][0]
    assert prov['source'] == 'stripe' and prov['count'] == 3 and prov['etag'] and prov['last_modified']
    with pytest.raises(EgressError, match=r"Refusing 127\.0\.0\.1 from source stripe .*loopback"):
        engine('stripe', https_server, ca_file, tmp_path, '192.0.2.63\n127.0.0.1\n', path='/ips_webhooks.txt')
    with pytest.raises(EgressError, match='Option cell is not valid for source stripe'):
        engine('stripe', https_server, ca_file, tmp_path, feeds.body(feeds.STRIPE), {'cell': ['us_cell_1']})
