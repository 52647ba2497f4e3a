# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every egress source by name."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.sources._atlas import AtlasAppServices, AtlasControlPlane
from ansible_collections.allowlist.egress.plugins.module_utils.sources._atlassian import Atlassian
from ansible_collections.allowlist.egress.plugins.module_utils.sources._aws import AwsIpRanges
from ansible_collections.allowlist.egress.plugins.module_utils.sources._azure import AzureServiceTags
from ansible_collections.allowlist.egress.plugins.module_utils.sources._cloudflare import Cloudflare
from ansible_collections.allowlist.egress.plugins.module_utils.sources._cloudgov import CloudGov
from ansible_collections.allowlist.egress.plugins.module_utils.sources._custom import Custom
from ansible_collections.allowlist.egress.plugins.module_utils.sources._datadog import Datadog
from ansible_collections.allowlist.egress.plugins.module_utils.sources._fastly import Fastly
from ansible_collections.allowlist.egress.plugins.module_utils.sources._gcp import GoogleCloud
from ansible_collections.allowlist.egress.plugins.module_utils.sources._github import GitHubMeta
from ansible_collections.allowlist.egress.plugins.module_utils.sources._okta import Okta
from ansible_collections.allowlist.egress.plugins.module_utils.sources._stripe import StripeWebhooks

SOURCES = dict((cls.name, cls) for cls in (
    AtlasAppServices, AtlasControlPlane, Atlassian, AwsIpRanges, AzureServiceTags, Cloudflare, CloudGov, Custom,
    Datadog, Fastly, GoogleCloud, GitHubMeta, Okta, StripeWebhooks,
))

# Options that depend on the source; every other option applies to every source.
SOURCE_OPTIONS = sorted(set(name for cls in SOURCES.values() for name in cls.options))


def get_source(name):
    if name not in SOURCES:
        raise KeyError(name)
    return SOURCES[name]()
