# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs the aws_wafv2_ip_set module (docs: plugins/modules/aws_prefix_list.py); a long `addresses` list takes a cheap way in."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.plugin_utils._address_set_action import AddressSetAction


class ActionModule(AddressSetAction):
    pass
