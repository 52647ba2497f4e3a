# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The egress_ranges lookup runs with the defaults of the egress_ranges_info module's argument spec."""

from __future__ import annotations

from ansible_collections.allowlist.egress.plugins.lookup import egress_ranges
from ansible_collections.allowlist.egress.plugins.module_utils import _egress_ranges
from tests.support.plugin_docs import default_mismatches, documented_options


def test_documented_defaults_are_the_module_defaults():
    options = documented_options(egress_ranges)
    spec = dict((name, arg) for name, arg in _egress_ranges.argument_spec().items() if name in options)
    assert set(_egress_ranges.FETCH_OPTIONS) <= set(spec)
    assert default_mismatches(options, spec) == []
