# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bundled copies of the Atlas App Services outbound lists, per provider.

Written by scripts/refresh_snapshots.py; do not edit by hand. Empty until that script has been run
on a machine that can reach the publisher (or with --from-dir and the published files).
"""

from __future__ import annotations

RECORDED = None  # YYYY-MM-DD
SNAPSHOTS = {}  # provider ('all', 'aws', 'azure', 'gcp') -> list of addresses
