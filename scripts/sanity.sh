#!/usr/bin/env bash
# Run `ansible-test sanity` on this checkout, offline-friendly.
#
# ansible-test wants the collection at .../ansible_collections/allowlist/egress, and resolves
# symlinks, so it runs on a copy of the files git knows (tracked, or new and not ignored). Its `--requirements` step bootstraps pip in fresh virtual environments
# with a script it downloads from a host that air-gapped machines cannot reach; it first looks for
# ~/.ansible/test/cache/get_pip_<version>.py, so we put a small one there that uses ensurepip and the
# machine's own pip configuration (ansible-test hides it with PIP_CONFIG_FILE=/dev/null).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$(cd "${VENV:-$root/.venv}" && pwd)
python_version=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
pip_version=$("$venv/bin/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages
class P: version = "'"$python_version"'"
print(get_venv_packages(P)["pip"])')

cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
cat > "$cache/get_pip_${pip_version//./_}.py" <<'PY'
"""Offline stand-in for ansible-test's get-pip download (installed by allowlist.egress scripts/sanity.sh)."""
import os
import subprocess
import sys

env = dict(os.environ)
env.pop('PIP_CONFIG_FILE', None)
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], env=env, stdout=subprocess.DEVNULL)
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '-q'] + args, env=env))
PY

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ansible_collections/allowlist"
copy="$work/ansible_collections/allowlist/egress"
mkdir -p "$copy"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) \
    | tar -xf - -C "$copy"
cd "$copy"
export PATH="$venv/bin:$PATH"
# Keep the machine's pip configuration for the packages ansible-test installs, too.
unset PIP_CONFIG_FILE
ansible-test sanity --requirements --python "$python_version" --color no "$@"
