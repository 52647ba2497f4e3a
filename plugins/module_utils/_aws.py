# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every AWS target shares: the credential options, the boto3 client, and reading AWS error codes.

Outside targets/ on purpose: a module carries only its own backend, so two AWS backends share this file
rather than importing each other.
"""

from __future__ import annotations

import traceback

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None

from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

# Module option -> boto3 session argument (documented in the allowlist.egress.aws doc fragment).
CREDENTIAL_OPTIONS = ('region', 'profile', 'endpoint_url', 'access_key', 'secret_key', 'session_token')


def argument_spec():
    """The connection options of every AWS module."""
    return dict(
        region=dict(type='str', aliases=['aws_region']),
        profile=dict(type='str', aliases=['aws_profile']),
        endpoint_url=dict(type='str', aliases=['aws_endpoint_url']),
        access_key=dict(type='str', aliases=['aws_access_key_id'], no_log=True),
        secret_key=dict(type='str', aliases=['aws_secret_access_key'], no_log=True),
        session_token=dict(type='str', aliases=['aws_session_token'], no_log=True),
    )


def require_boto3(module):
    if not HAS_BOTO3:
        raise EgressError('The Python library boto3 (with botocore) is required for %s (pip install boto3): %s'
                          % (module, BOTO3_IMPORT_ERROR))


def client(service, region=None, profile=None, endpoint_url=None, access_key=None, secret_key=None,
           session_token=None, module='this module'):
    """A boto3 client the boto3 way: explicit options, else the environment, profile or instance role."""
    require_boto3(module)
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region, aws_access_key_id=access_key,
                                        aws_secret_access_key=secret_key, aws_session_token=session_token)
        # Throttling and transient errors: botocore's standard retry mode backs off for us.
        config = botocore.config.Config(retries={'mode': 'standard', 'max_attempts': 8})
        return session.client(service, endpoint_url=endpoint_url, config=config)
    except (botocore.exceptions.BotoCoreError, ValueError) as error:
        raise EgressError('Cannot set up an %s client: %s' % (service.upper(), error))


def client_from_params(service, params, module='this module'):
    """client() with the connection options of a module's params."""
    return client(service, module=module, **dict((name, params.get(name)) for name in CREDENTIAL_OPTIONS))


def error_code(error):
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    return error.response.get('Error', {}).get('Code', '') if hasattr(error, 'response') else ''
