# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # The connection options of every AWS module (plugins/module_utils/_aws.py).
    DOCUMENTATION = r"""
options:
  region:
    description: The AWS region. Default from E(AWS_REGION), E(AWS_DEFAULT_REGION) or the profile.
    type: str
    aliases: [aws_region]
  profile:
    description: A profile of the shared AWS config and credentials files.
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description: Another endpoint of the service, for example a VPC endpoint, or a local emulator in tests.
    type: str
    aliases: [aws_endpoint_url]
  access_key:
    description: AWS access key id. Default from E(AWS_ACCESS_KEY_ID), the profile, or an instance role.
    type: str
    aliases: [aws_access_key_id]
  secret_key:
    description: AWS secret access key. Default from E(AWS_SECRET_ACCESS_KEY) or the profile.
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description: AWS session token for temporary credentials. Default from E(AWS_SESSION_TOKEN).
    type: str
    aliases: [aws_session_token]
requirements:
  - boto3
  - botocore
notes:
  - Authentication is the boto3 way (options, then environment variables, the shared config and credentials files,
    or an instance role). Throttling and transient errors are retried by botocore (standard retry mode).
"""
