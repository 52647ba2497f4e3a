# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every target backend, by the name that egress_sync_targets use as `backend`."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.targets._address_feed import AddressFeed
from ansible_collections.allowlist.egress.plugins.module_utils.targets._atlas_access_list import AtlasAccessList
from ansible_collections.allowlist.egress.plugins.module_utils.targets._aws_prefix_list import AwsPrefixList
from ansible_collections.allowlist.egress.plugins.module_utils.targets._aws_wafv2_ip_set import AwsWafv2IpSet
from ansible_collections.allowlist.egress.plugins.module_utils.targets._firewalld_ipset import FirewalldIpset
from ansible_collections.allowlist.egress.plugins.module_utils.targets._ipset import Ipset
from ansible_collections.allowlist.egress.plugins.module_utils.targets._nftables import NftablesSet

TARGETS = dict((cls.TARGET_INFO.module.rsplit('.', 1)[1], cls)
               for cls in (NftablesSet, Ipset, FirewalldIpset, AwsPrefixList, AwsWafv2IpSet, AtlasAccessList,
                           AddressFeed))
