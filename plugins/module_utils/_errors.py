# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Errors shared by every part of the collection.

Plugins turn these into AnsibleLookupError or fail_json; the message is always
meant for a person, and names the bad value and where it came from.
"""

from __future__ import annotations


class EgressError(Exception):
    """A problem the user must see; the message is complete on its own."""


class AddressError(EgressError):
    """An entry that is not an IP address, CIDR or range."""


class FetchError(EgressError):
    """A publisher's document could not be fetched, or is not what it publishes."""


class ResolveError(EgressError):
    """One or more names did not resolve (the message lists each one and why)."""
