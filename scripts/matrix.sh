#!/usr/bin/env bash
# make matrix: the unit tests and a fast integration subset under every ansible-core series the collection
# supports (meta/runtime.yml requires_ansible), each in a virtual environment of its own on Python 3.11:
# build/matrix/<version>/venv, made again only when its requirements change (a stamp, as bootstrap.sh's).
# The series the main .venv holds (2.19) runs in .venv itself: no second copy of the same packages.
#
#   MATRIX_VERSIONS="2.15 2.17" make matrix     # some of them only
#
# Unit tests of all versions run side by side (they mostly wait on timers and loopback servers: ~100 s for four
# at once against ~80 s for one); the integration subsets run one version after another (they are CPU-bound).
set -euo pipefail
shopt -s inherit_errexit  # a failed install inside venv_python's $(...) must stop the script, stamp unwritten
cd "$(dirname "$0")/.."

VERSIONS=${MATRIX_VERSIONS:-2.15 2.16 2.17 2.18 2.19}
PYTHON=${MATRIX_PYTHON:-python3.11}
MAIN_VENV=${VENV:-.venv}
ROOT=build/matrix
# uv makes a venv and installs it in seconds (pip takes about a minute a version); pip when uv is missing.
UV=$MAIN_VENV/bin/uv
export UV_CACHE_DIR=${UV_CACHE_DIR:-$PWD/$ROOT/uv-cache}
# As pip is set up on this machine: the system's CA certificates, and an index given to pip.
export UV_NATIVE_TLS=${UV_NATIVE_TLS:-1}
if [ -n "${PIP_INDEX_URL:-}" ] && [ -z "${UV_DEFAULT_INDEX:-}" ]; then
    export UV_DEFAULT_INDEX=$PIP_INDEX_URL
fi

# The integration subset, one test per area (a lookup through ansible-playbook, nftables_set in a namespace,
# the egress_sync role's plan and apply, a dns_forwarder backend answering queries, and the built collection
# with ansible-doc). Every version runs the whole of tests/unit.
INTEGRATION=(
    tests/integration/test_outsystems_frontends.py::test_frontends_through_a_playbook
    tests/integration/test_egress_ranges.py::test_adhoc_lookup_cloudgov
    tests/integration/test_build.py::test_build_install_and_use
    tests/integration/firewalls/test_nftables_set.py::test_states_check_mode_diff_idempotence
    tests/integration/firewalls/test_nftables_set.py::test_a_list_variable_arrives_as_ansible_templates_it
    tests/integration/firewalls/test_egress_sync.py::test_plan_apply_no_change_and_two_targets
    tests/integration/firewalls/test_dns_forwarder.py::test_the_role_makes_dnsmasq_forward_the_zone
)
PYTEST=(-m pytest -q -p no:cacheprovider)

# The main .venv stands for its own series when it runs the same Python.
main_series=none
if [ "$("$MAIN_VENV/bin/python" -c 'import sys; print(sys.version_info[:2])')" = "$("$PYTHON" -c 'import sys; print(sys.version_info[:2])')" ]; then
    main_series=$("$MAIN_VENV/bin/python" -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')
fi

# The interpreter of version $1, its venv made or brought up to date first.
venv_python() {
    local version=$1 dir=$ROOT/$1
    if [ "$version" = "$main_series" ]; then
        echo "$MAIN_VENV/bin/python"
        return
    fi
    local minor=${version#2.}
    local spec="ansible-core>=$version,<2.$((minor + 1))"
    local want
    want=$( (echo "$spec"; "$PYTHON" --version; cat requirements.txt tests/requirements-matrix.txt) | sha256sum | cut -d' ' -f1)
    if [ ! -f "$dir/stamp" ] || [ "$(cat "$dir/stamp")" != "$want" ]; then
        echo "matrix: installing $spec into $dir/venv" >&2
        rm -rf "$dir"
        mkdir -p "$dir"
        if [ -x "$UV" ]; then
            "$UV" venv -q --python "$(command -v "$PYTHON")" "$dir/venv" >&2
            "$UV" pip install -q --python "$dir/venv/bin/python" "$spec" -r requirements.txt \
                -r tests/requirements-matrix.txt >&2
        else
            "$PYTHON" -m venv "$dir/venv" >&2
            "$dir/venv/bin/python" -m pip install -q "$spec" -r requirements.txt -r tests/requirements-matrix.txt >&2
        fi
        echo "$want" > "$dir/stamp"
    fi
    echo "$dir/venv/bin/python"
}

declare -A python unit_pid
for version in $VERSIONS; do
    python[$version]=$(venv_python "$version")
done

start=$SECONDS
for version in $VERSIONS; do
    mkdir -p "$ROOT/$version"
    "${python[$version]}" "${PYTEST[@]}" tests/unit > "$ROOT/$version/unit.log" 2>&1 &
    unit_pid[$version]=$!
done

declare -A failed
for version in $VERSIONS; do
    "${python[$version]}" "${PYTEST[@]}" "${INTEGRATION[@]}" > "$ROOT/$version/integration.log" 2>&1 \
        || failed[$version]+=" integration"
done
for version in $VERSIONS; do
    wait "${unit_pid[$version]}" || failed[$version]+=" unit"
done

status=0
summary=()
for version in $VERSIONS; do
    core=$("${python[$version]}" -c 'import ansible.release as r; print(r.__version__)')
    for log in ${failed[$version]:-}; do
        status=1
        echo "---- ansible-core $core: $ROOT/$version/$log.log"
        tail -n 60 "$ROOT/$version/$log.log"
    done
    summary+=("$(printf 'matrix: ansible-core %-8s unit: %s; integration: %s' "$core" \
        "$(tail -n 1 "$ROOT/$version/unit.log" | tr -d '=' | xargs)" \
        "$(tail -n 1 "$ROOT/$version/integration.log" | tr -d '=' | xargs)")")
done
printf '%s\n' "${summary[@]}"
echo "matrix: $((SECONDS - start)) s of tests"
exit $status
