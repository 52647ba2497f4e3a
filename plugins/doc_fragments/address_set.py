# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # The contract shared by every module that syncs a list of addresses into an address object.
    DOCUMENTATION = r"""
options:
  addresses:
    description:
      - The entries, as the lookups of this collection return them. Each one is an IP address, a CIDR, a range
        C(first-last), a dictionary with the keys C(address) and C(comment), or a dictionary with C(addresses) (a
        list of those strings) and C(comment), for many addresses that share a comment.
      - Entries are canonicalised before they are compared, the way the kernel stores them. Duplicates,
        overlapping and adjacent prefixes collapse, so two /25 and one /24 are the same list, and a second
        run with the same input reports no change.
      - When entries overlap, the first one (and so its comment) wins.
      - A comment with a control character (C0, C1 or DEL, so also a line break or a tab), a line or paragraph
        separator, or a bidirectional control (U+200E, U+200F, U+061C, U+202A to U+202E, U+2066 to U+2069) is refused
        for every module, before anything changes, with an error that names the entry (V(addresses[3])). Each module
        also has its own limit, for example 128 bytes of UTF-8 for nftables and 255 bytes for ipset (not characters;
        a character such as C(ç) takes two bytes).
      - A string is split at its commas. Through C(ansible-playbook), a list of tens of thousands of entries passed as
        one string joined with commas (see the examples of M(allowlist.egress.nftables_set)) is several seconds
        faster, because Ansible then templates, serialises and copies one string instead of every element. Entries
        with their own comments need the list form.
    type: list
    elements: raw
    default: []
  entry_comment:
    description:
      - Comment for the entries that have none of their own. Checked like the comments in O(addresses); an error
        names V(entry_comment).
    type: str
  state:
    description:
      - V(replaced) makes the address object hold exactly O(addresses), and creates it when missing.
      - V(merged) adds the entries that are missing; entries already there stay.
      - V(deleted) removes the listed addresses and keeps everything else.
      - V(gathered) only reads, and returns the entries in RV(gathered).
      - V(rendered) returns, in RV(rendered), the batch that would create the object with O(addresses), without
        reading or touching anything.
      - V(absent) removes the whole address object.
    type: str
    default: replaced
    choices: [replaced, merged, deleted, gathered, rendered, absent]
  strict:
    description:
      - An entry with host bits set (C(192.0.2.5/24)) is an error naming the entry when V(true). When V(false),
        it is normalised (C(192.0.2.0/24)) with a warning, as the kernel does.
    type: bool
    default: false
  max_removals:
    description:
      - The most addresses that a O(state=replaced) sync may make stop matching, as a count (V(100)) or a percentage
        (V(50%)) of the addresses matched now, per address family. Counted in addresses, not entries, so a C(/24) that
        goes counts 256, and 100 addresses stored as 3 merged prefixes count as 100.
      - A sync that would remove more fails before anything changes, so an empty or broken source never wipes a
        production allowlist.
      - ASCII digits only, optionally with a decimal part for a percentage (V(12.5%)); anything else (V(-1), V(²), an
        empty string) is an error naming the value. A percentage above 100 allows removing everything, like V(100%).
    type: str
    default: 50%
  max_additions:
    description:
      - The most addresses that a O(state=replaced) or O(state=merged) sync may make start matching, counted like
        O(max_removals) (V(100), or V(200%) of the addresses matched now, per family). A source that suddenly grows
        a hundredfold is as suspicious as one that empties.
      - A family that holds nothing yet (a new or empty object) is never blocked, since the first sync is the one a
        reviewer reads in full.
      - Off when not set. The C(allowlist.egress.egress_sync) role sets it for its targets.
    type: str
  force:
    description: Apply a sync even when it removes more than O(max_removals) or adds more than O(max_additions).
    type: bool
    default: false
  lock_timeout:
    description:
      - Seconds to wait for another run on the same address object to finish. Runs on one object take a lock
        file in C(/run/lock/allowlist.egress/), so two of them at once never lose entries.
      - In check mode no lock file is created; an existing one is waited for (shared), so a check does not read an
        object in the middle of a change.
    type: float
    default: 300
  lock_file:
    description:
      - The lock file for O(lock_timeout). Default one file per address object under C(/run/lock/allowlist.egress/)
        (or the temporary directory where that is not writable), named after the object; a name too long for a file
        name keeps its first characters and ends in the SHA-256 of the whole name.
      - An absolute path. A lock file that is a symlink, or a directory owned by another user than root or the
        one running the module, is refused, so that a local user cannot make a sync create files elsewhere.
      - Check mode creates no lock file; it only waits for a run that holds one.
    type: path
  list_limit:
    description:
      - The most entries that RV(added) and RV(removed) hold, so that a sync of 100,000 addresses returns a result
        people can read and Ansible does not spend seconds passing around. RV(added_count) and RV(removed_count)
        always give the full numbers, and RV(lists_truncated) says whether a list was cut.
      - With C(--diff) or at verbosity 2 or more (C(-vv)), both lists are returned in full, whatever this says.
      - V(0) returns the counts only. The result's C(invocation) likewise echoes only the first 10 of O(addresses).
    type: int
    default: 100
  return_commands:
    description:
      - Also return the batch (the commands or API calls of the sync) in RV(commands). It is as long as the change,
        so it is left out by default; verbosity 3 (C(-vvv)) and O(state=rendered) return it too.
    type: bool
    default: false
"""

    # For backends that can write themselves where the boot-time configuration loads them.
    PERSIST = r"""
options:
  persist:
    description:
      - Also write the address object to this file, atomically (a temporary file and a rename), in the form
        the boot-time configuration loads, so it survives a reboot. Writing the file counts as a change.
      - The path must be absolute and its directory must exist; otherwise, or when the directory cannot be written
        (read-only), the module fails before anything changes. A symlink is followed, so its target is rewritten and the
        link stays. An existing file keeps its owner, group and mode; a new one gets mode C(0644).
      - The whole new file is written to a temporary file next to its target and loaded the way a boot loads it, in
        a new, empty network namespace (C(unshare --net)) that changes nothing on the host, B(before) the kernel is
        touched; it is renamed into place only after the kernel took the change. A file that would fail at boot is
        an error and nothing changes. In check mode the file is checked but nothing is written.
    type: path
"""
