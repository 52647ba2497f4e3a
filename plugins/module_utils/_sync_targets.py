# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The last step of a sync: one plan into every target of a host, each through its module.

A target is `{backend: NAME, ...that module's options}`. What the pipeline must know of a backend (its
module, which option names the object, how a family is spelled) is declared by the backend itself
(`targets._base.TargetInfo`), so adding a backend never touches the role.
"""

from __future__ import annotations

import os
from collections import namedtuple

from ansible_collections.allowlist.egress.plugins.module_utils import _intervals
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

# Options the pipeline passes to every target that does not set its own.
SHARED_OPTIONS = ('max_removals', 'max_additions', 'force', 'lock_timeout')


def registry():
    """backend name -> TargetInfo, from every target backend of the collection."""
    from ansible_collections.allowlist.egress.plugins.module_utils.targets._registry import TARGETS
    return dict((name, cls.TARGET_INFO) for name, cls in TARGETS.items())


Part = namedtuple('Part', 'version object entries args')


def parts(index, target, plan, shared, targets=None):
    """The module calls for one target: [Part], and how many IPv6 entries it has no object for."""
    targets = targets or registry()
    where = 'egress_sync_targets[%d]' % index
    if not isinstance(target, dict) or target.get('backend') not in targets:
        raise EgressError('%s: each target needs a backend, one of %s; got %r'
                          % (where, ', '.join(sorted(targets)),
                             target.get('backend') if isinstance(target, dict) else target))
    info = targets[target['backend']]
    if 'addresses' in target:
        raise EgressError('%s: a target takes no addresses; they come from egress_sync_sources' % where)
    if not target.get(info.name_option):
        raise EgressError('%s: backend %s needs %s, the object to sync into'
                          % (where, target['backend'], info.name_option))
    twin = info.name_option + '6'
    if twin in target and target[twin] == target[info.name_option]:
        raise EgressError('%s: %s and %s name the same object %r; IPv4 and IPv6 entries need one each'
                          % (where, info.name_option, twin, target[twin]))
    if (info.persist and isinstance(target.get('persist'), str) and isinstance(target.get('persist6'), str)
            and os.path.normpath(target['persist']) == os.path.normpath(target['persist6'])):
        raise EgressError('%s: persist and persist6 are the same file %s; each family would overwrite the other\'s '
                          'and a boot would load only one' % (where, target['persist']))
    base = dict((k, v) for k, v in target.items() if k not in ('backend', twin, 'persist6'))
    for option in SHARED_OPTIONS:
        if option not in base and shared.get(option) is not None:
            base[option] = shared[option]
    if info.family_option is None:
        return [Part(None, target[info.name_option], plan['ipv4'] + plan['ipv6'], base)], 0
    result = []
    for version, key, entries in ((4, info.name_option, plan['ipv4']), (6, twin, plan['ipv6'])):
        if version == 6 and twin not in target:
            continue
        args = dict(base)
        args[info.name_option] = target[key]
        args[info.family_option] = info.family_values[version]
        if info.persist and version == 6:
            args.pop('persist', None)
            if target.get('persist6'):
                args['persist'] = target['persist6']
        result.append(Part(version, target[key], entries, args))
    unsynced = sum(len(g['addresses']) for g in plan['ipv6']) if twin not in target else 0
    return result, unsynced


def check_comments(index, target, target_parts):
    """Refuse a source's comment that one of the target's objects cannot store, before any target is synced.

    Each module checks its comments itself, but only when its turn comes: a comment within nft's 128 bytes but over
    Atlas's 80 characters would otherwise fail the second target after the first one changed.
    """
    from ansible_collections.allowlist.egress.plugins.module_utils._address_set import check_comment_text
    from ansible_collections.allowlist.egress.plugins.module_utils.targets._registry import TARGETS
    cls = TARGETS[target['backend']]
    for part in target_parts:
        check = cls.comment_checker(part.args)
        for group in part.entries:
            if group.get('comment') is not None:
                where = ('egress_sync_targets[%d] (%s %s), the comment of a source'
                         % (index, target['backend'], part.object))
                check_comment_text(group['comment'], where)
                check(group['comment'], where)


def summary(backend, part, result, digest, limit):
    """What a person and a pipeline need of one module result: counts always, the lists up to `limit`."""
    added, removed = result.get('added') or [], result.get('removed') or []
    return dict(
        backend=backend, object=part.object, family=part.version, changed=bool(result.get('changed')),
        plan_digest=digest, before_count=result.get('before_count'), after_count=result.get('after_count'),
        added_count=result.get('added_count', len(added)), removed_count=result.get('removed_count', len(removed)),
        added=added[:limit], removed=removed[:limit],
        # The source (comment) of each listed change, and what the guards made of it: for the plan report.
        added_sources=_added_sources(part.entries, added[:limit], result.get('added_comments')),
        removed_sources=(result.get('removed_comments') or [])[:limit],
        lists_truncated=bool(result.get('lists_truncated')) or len(added) > limit or len(removed) > limit,
        guards=result.get('guards') or [],
    )


def _added_sources(groups, added, comments):
    """The source of each listed addition: the module's comment, else the one plan group that holds the CIDR.

    A backend that stores no per-entry comment (firewalld ipsets, an address feed without comment syntax) returns
    None for every change; the plan's groups (comment = source) still say where an added CIDR comes from. None stays
    only for a CIDR that no single source covers (it spans two, merged into one prefix).
    """
    comments = list(comments or [])[:len(added)]
    comments.extend([None] * (len(added) - len(comments)))
    if all(c is not None for c in comments):
        return comments
    merged = {}
    for group in groups or []:
        if group.get('comment') is not None:
            merged.setdefault(group['comment'], []).extend(
                i for address in group.get('addresses') or [] for i in _intervals.parse(address))
    lookups = [(comment, _intervals.Lookup(_intervals.merge(intervals))) for comment, intervals in merged.items()]
    result = []
    for cidr, comment in zip(added, comments):
        if comment is None and lookups:
            interval = _intervals.merge(_intervals.parse(cidr))
            found = [c for c, lookup in lookups if len(interval) == 1 and lookup.covers(interval[0])]
            comment = found[0] if len(found) == 1 else None
        result.append(comment)
    return result
