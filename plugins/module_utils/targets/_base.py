# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one interface every target implements: an address object that a sync makes hold a list.

A target (an nftables set, an ipset, an AWS prefix list, an Atlas access list) only knows how to read its
entries, render and apply a plan, and remove itself. Everything users rely on to be the same everywhere
(states, comparison, guards, entry policy, check mode, diff, lock, persist) is done once, by
_address_set.sync(), through this interface.
"""

from __future__ import annotations

import abc
from collections import namedtuple

from ansible_collections.allowlist.egress.plugins.module_utils._address_set import check_comment_text
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

# How the egress_sync pipeline calls a target's module (plugins/module_utils/_sync_targets.py reads it).
# module: the FQCN; name_option: the option naming the object (its IPv6 twin is name_option + '6');
# family_option and family_values: how the module is told the family, or None when one object holds both;
# persist: whether it takes persist (and so persist6).
# It lives here, not beside the pipeline, so that a module imports only its own backend: Ansible packs every
# module_utils file a module imports, even lazily, into each AnsiballZ payload.
TargetInfo = namedtuple('TargetInfo', 'module name_option family_option family_values persist')


class Target(abc.ABC):
    # How the egress_sync pipeline calls this target's module (TargetInfo above).
    TARGET_INFO = None  # type: TargetInfo
    # Plan shape: the shortest prefix the object can hold, and whether it holds single addresses only.
    min_prefix = 0
    host_only = False
    # Set by sync() before it reads.
    state = 'replaced'

    @abc.abstractmethod
    def describe(self):
        """The object, for messages and diff headers (e.g. `nftables set inet filter allow`)."""

    @abc.abstractmethod
    def lock_path(self):
        """The default lock file of this object."""

    @staticmethod
    def check_comment(comment, where):
        """Refuse a comment the object cannot store, naming `where` it came from."""
        check_comment_text(comment, where)

    @classmethod
    def comment_checker(cls, options):
        """check_comment for this backend's module called with `options`, usable before any object is read."""
        return cls.check_comment

    @abc.abstractmethod
    def read(self):
        """The object as it is now: a _address_set.Current."""

    def prepare(self, current, desired):
        """Check the wanted entries against what the object can hold, before any plan (default: nothing to check)."""

    @abc.abstractmethod
    def commands(self, current, plan):
        """The changes of `plan`, one human-readable line each (the batch, the API calls)."""

    @abc.abstractmethod
    def apply(self, current, plan):
        """Make the changes of `plan`; called once, after every check passed."""

    @abc.abstractmethod
    def remove_commands(self, current):
        """What state=absent does, one line each."""

    @abc.abstractmethod
    def remove(self, current):
        """Remove the whole object."""

    def persist_text(self, plan):
        """The object as its boot-time file (only targets that take `persist`)."""
        raise EgressError('persist does not apply to %s' % self.describe())

    def validate_persist(self, text, path):
        """Check a persist file before the object changes; return a warning, or None."""
        return None

    def facts(self, current, plan):
        """Backend-specific keys for the module result."""
        return {}
