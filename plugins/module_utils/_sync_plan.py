# -*- coding: utf-8 -*-
# Copyright (c) allowlist.egress contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sync plan: every source of an egress_sync run, fetched once, merged and split by family.

sources -> plan -> targets: this is the middle step. It runs once per play on the
controller (the egress_plan action), so 50 firewalls get the same list, from one set
of DNS queries and HTTP fetches, identified by one digest that every target's summary
repeats. Entries keep the first source that listed them as their comment.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import OrderedDict

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.allowlist.egress.plugins.module_utils import (
    _address_set, _addresses, _egress_ranges, _entry_policy, _files, _intervals,
)
from ansible_collections.allowlist.egress.plugins.module_utils.sources import _frontends
from ansible_collections.allowlist.egress.plugins.module_utils._errors import EgressError

SOURCE_TYPES = ('outsystems_frontends', 'egress_ranges', 'static')
# Keys of a source that are not options of its lookup.
_OWN_KEYS = {'type', 'comment', 'names', 'source', 'addresses'}


def _validated(spec, options, where):
    """Options checked and completed with defaults by Ansible's own argument-spec validator."""
    unknown = sorted(set(options) - set(spec))
    if unknown:
        raise EgressError('%s: unknown option%s %s; valid options are %s'
                          % (where, 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(sorted(spec))))
    result = ArgumentSpecValidator(spec).validate(options)
    if result.error_messages:
        raise EgressError('%s: %s' % (where, '; '.join(result.error_messages)))
    return result.validated_parameters


def _label(source):
    if source.get('comment') is not None:
        return str(source['comment'])
    if source['type'] == 'egress_ranges':
        return 'egress_ranges:%s' % source.get('source')
    return source['type']


class SourceResult(object):
    """One source's addresses (canonical CIDRs), its label (the entries' comment) and where they came from."""

    def __init__(self, label, kind, addresses, origin, provenance=None):
        self.label = label
        self.kind = kind
        self.addresses = addresses
        self.origin = origin
        self.provenance = provenance or []

    def summary(self):
        # The digest of what the source returned, for the history: a source that changed has a new one.
        digest = hashlib.sha256(json.dumps(self.addresses, separators=(',', ':')).encode('utf-8')).hexdigest()
        return dict(label=self.label, type=self.kind, origin=self.origin, count=len(self.addresses),
                    digest=digest, provenance=self.provenance)


def _frontends_source(source, where, warn):
    names = source.get('names')
    if not isinstance(names, list) or not names:
        raise EgressError('%s: type outsystems_frontends needs names, the front-end server names from Service Center '
                          '(e.g. [myenv-fe01])' % where)
    options = _validated(_frontends.argument_spec(), _options(source), where)
    results = _frontends.FrontendResolver(**options).resolve(names)
    return _frontends.frontend_addresses(results), 'dns', []


def _ranges_source(source, where, warn):
    name = source.get('source')
    if not isinstance(name, str) or not name:
        raise EgressError('%s: type egress_ranges needs source, one of %s'
                          % (where, ', '.join(_egress_ranges.valid_source_names())))
    spec = _egress_ranges.argument_spec()
    del spec['sources']
    options = _validated(spec, _options(source), where)
    result = _egress_ranges.run_from_options([name], options.get, warn)
    origins = sorted(set(p['origin'] for p in result['provenance']))
    return result['addresses'], '+'.join(origins), result['provenance']


def _static_source(source, where, warn):
    unknown = sorted(set(source) - _OWN_KEYS)
    if unknown:
        raise EgressError('%s: type static takes addresses and comment, not %s' % (where, ', '.join(unknown)))
    addresses = source.get('addresses')
    if not isinstance(addresses, list) or not addresses:
        raise EgressError('%s: type static needs addresses, a non-empty list' % where)
    entries = [(entry, '%s.addresses[%d]' % (where, i)) for i, entry in enumerate(addresses)]
    canonical = []
    for entry, entry_where in entries:
        canonical.extend(_addresses.canonicalize([entry], source=entry_where, strict=False, warn=warn))
    # What the user wrote may hold a VPN's private range, never /0, loopback and the like. How wide an entry may
    # be is the targets' call (their min_prefixlen options).
    policy = _entry_policy.EntryPolicy(remote=False, min_prefixlen_v4=0, min_prefixlen_v6=0, anywhere_hint=False)
    policy.check_intervals(((entry, interval) for entry, entry_where in entries
                            for interval in _intervals.parse(entry, strict=False)), where)
    return _addresses.canonicalize(canonical), 'static', []


_FETCH = {'outsystems_frontends': _frontends_source, 'egress_ranges': _ranges_source, 'static': _static_source}


def _options(source):
    return dict((k, v) for k, v in source.items() if k not in _OWN_KEYS)


def fetch_sources(sources, warn=None):
    """Every source's addresses, in order; the first one that fails raises, naming it."""
    warn = warn or (lambda msg: None)
    if not isinstance(sources, list) or not sources:
        raise EgressError('egress_sync_sources must be a non-empty list of sources, each with a type (%s)'
                          % ', '.join(SOURCE_TYPES))
    results, labels = [], set()
    for index, source in enumerate(sources):
        where = 'egress_sync_sources[%d]' % index
        if not isinstance(source, dict) or source.get('type') not in SOURCE_TYPES:
            raise EgressError('%s: each source needs a type, one of %s; got %r'
                              % (where, ', '.join(SOURCE_TYPES), source if not isinstance(source, dict)
                                 else source.get('type')))
        label = _label(source)
        if label in labels:
            raise EgressError('%s: another source already has the comment %r; give each source its own comment'
                              % (where, label))
        labels.add(label)
        # The label is every entry's comment and is printed in the plan's summary: refused here, before the log
        # of a merge request shows a line-break or a bidirectional override that reorders what a reviewer reads.
        if source.get('comment') is not None:  # (a default label is made of a source name, checked below)
            _address_set.check_comment_text(label, '%s.comment' % where)
        where = '%s (%s)' % (where, label)
        addresses, origin, provenance = _FETCH[source['type']](source, where, warn)
        results.append(SourceResult(label, source['type'], addresses, origin, provenance))
    return results


def build_plan(results):
    """Merge the sources' addresses: each address once, with the first source that lists it as comment.

    Per family, the entries go as groups `{comment, addresses}` (sorted within each group): the form the
    address-set modules take cheapest, 50,000 strings rather than 50,000 dictionaries.
    """
    seen = {}
    for result in results:
        for address in result.addresses:
            seen.setdefault(address, result.label)
    ordered = sorted(seen.items(), key=lambda item: _intervals.cidr_sort_key(item[0]))
    digest = hashlib.sha256(json.dumps([[a, c] for a, c in ordered], separators=(',', ':')).encode('utf-8'))
    families = {4: OrderedDict((r.label, []) for r in results), 6: OrderedDict((r.label, []) for r in results)}
    for address, label in ordered:
        families[6 if ':' in address else 4][label].append(address)
    return dict(
        digest=digest.hexdigest(),
        ipv4=[{'comment': c, 'addresses': a} for c, a in families[4].items() if a],
        ipv6=[{'comment': c, 'addresses': a} for c, a in families[6].items() if a],
        counts=dict((r.label, len(r.addresses)) for r in results),
        origins=dict((r.label, r.origin) for r in results),
        sources=[r.summary() for r in results],
    )


def entry_count(groups):
    return sum(len(group['addresses']) for group in groups)


def plan_digest(plan):
    """The digest of a plan's entries, computed again: a plan read back from disk must be the one made."""
    pairs = [(a, g['comment']) for family in ('ipv4', 'ipv6') for g in plan[family] for a in g['addresses']]
    pairs.sort(key=lambda pair: _intervals.cidr_sort_key(pair[0]))
    return hashlib.sha256(json.dumps([list(p) for p in pairs], separators=(',', ':')).encode('utf-8')).hexdigest()


PLAN_KEEP_SECONDS = 7 * 86400


def save(plan, directory, now=None):
    """Write the plan for the targets' step, named by its digest; return the path.

    The plan crosses from the controller's planning task to every host's sync task as a file, not as a
    variable: 50,000 entries in a registered variable cost Ansible seconds per host to copy and template.
    Plans older than a week are removed.
    """
    os.makedirs(directory, mode=0o700, exist_ok=True)
    _files.check_private_directory(directory, 'plan_dir')
    path = os.path.join(directory, 'plan-%s.json' % plan['digest'])
    _files.write_atomic(path, json.dumps(plan, separators=(',', ':')), mode=0o600)
    now = time.time() if now is None else now
    for name in os.listdir(directory):
        old = os.path.join(directory, name)
        if name.startswith('plan-') and name.endswith('.json') and old != path:
            try:
                if now - os.stat(old).st_mtime > PLAN_KEEP_SECONDS:
                    os.unlink(old)
            except OSError:
                pass  # another run removed it first
    return path


def summary(plan, path):
    """What egress_plan returns: everything but the entries, and where they are."""
    result = dict((k, v) for k, v in plan.items() if k not in ('ipv4', 'ipv6'))
    result.update(file=path, ipv4_count=entry_count(plan['ipv4']), ipv6_count=entry_count(plan['ipv6']))
    return result


def load(path, digest):
    """Read a plan saved by save(), refusing one whose entries no longer match its digest."""
    try:
        with open(path) as f:
            plan = json.load(f)
    except (IOError, OSError, ValueError) as error:
        raise EgressError('Cannot read the plan %s: %s' % (path, error))
    if not isinstance(plan, dict) or plan.get('digest') != digest or plan_digest(plan) != digest:
        raise EgressError('The plan %s does not match its digest %s: it changed after egress_plan wrote it; '
                          'nothing was synced' % (path, digest))
    return plan


def plan(sources, warn=None):
    return build_plan(fetch_sources(sources, warn))
