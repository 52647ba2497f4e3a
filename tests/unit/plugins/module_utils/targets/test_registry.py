# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every target backend by the name egress_sync_targets use as `backend`."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.module_utils.targets._base import Target
from ansible_collections.allowlist.egress.plugins.module_utils.targets._registry import TARGETS


def test_every_registered_target_is_a_target_named_after_its_module():
    assert sorted(TARGETS) == ['address_feed', 'atlas_access_list', 'aws_prefix_list', 'aws_wafv2_ip_set',
                               'firewalld_ipset', 'ipset', 'nftables_set']
    for name, cls in TARGETS.items():
        assert issubclass(cls, Target) and cls.TARGET_INFO.module == 'allowlist.egress.' + name
