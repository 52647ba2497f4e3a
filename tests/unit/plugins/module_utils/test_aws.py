# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options and client that every AWS target shares."""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.allowlist.egress.plugins.module_utils import _aws
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError


def test_every_credential_option_is_in_the_spec_and_secrets_are_not_logged():
    spec = _aws.argument_spec()
    assert sorted(spec) == sorted(_aws.CREDENTIAL_OPTIONS)
    assert [name for name, option in sorted(spec.items()) if option.get('no_log')] == ['access_key', 'secret_key',
                                                                                       'session_token']


def test_client_from_params_takes_the_options_of_a_module(monkeypatch):
    monkeypatch.delenv('AWS_PROFILE', raising=False)
    params = dict(region='eu-west-1', profile=None, endpoint_url='http://127.0.0.1:1', access_key='a',
                  secret_key='b', session_token='c', name='ignored')
    client = _aws.client_from_params('wafv2', params)
    assert client.meta.region_name == 'eu-west-1' and client.meta.endpoint_url == 'http://127.0.0.1:1'
    assert client.meta.service_model.service_name == 'wafv2'
    assert client.meta.config.retries['mode'] == 'standard'
    credentials = client._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key, credentials.token) == ('a', 'b', 'c')


def test_an_unknown_profile_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv('AWS_CONFIG_FILE', str(tmp_path / 'none'))
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', str(tmp_path / 'none'))
    with pytest.raises(EgressError, match='Cannot set up an EC2 client: The config profile \\(nope\\) could not be found'):
        _aws.client('ec2', region='us-east-1', profile='nope')


def test_a_missing_boto3_names_the_module(monkeypatch):
    monkeypatch.setattr(_aws, 'HAS_BOTO3', False)
    monkeypatch.setattr(_aws, 'BOTO3_IMPORT_ERROR', 'No module named boto3')
    with pytest.raises(EgressError, match='boto3 .* is required for aws_wafv2_ip_set .*No module named boto3'):
        _aws.client('wafv2', module='aws_wafv2_ip_set')


def test_error_code_reads_a_client_error_and_nothing_else():
    error = botocore.exceptions.ClientError({'Error': {'Code': 'WAFOptimisticLockException', 'Message': 'm'}}, 'UpdateIPSet')
    assert _aws.error_code(error) == 'WAFOptimisticLockException'
    assert _aws.error_code(botocore.exceptions.ClientError({}, 'X')) == ''
    assert _aws.error_code(ValueError('x')) == ''
