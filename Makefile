# allowlist.egress: `make demo` and `make test` work on a fresh Debian machine as root.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/build/collections
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: all deps demo test sanity units integration matrix molecule lint bench build ee changelog snapshots clean docs docs-test

all: test

deps:
	@bash scripts/bootstrap.sh
	@mkdir -p build/collections/ansible_collections/allowlist
	@ln -sfn $(CURDIR) build/collections/ansible_collections/allowlist/egress

demo: deps
	@bash scripts/demo.sh

# Everything CI runs: sanity, unit and integration tests. Fails if any fails.
test: deps
	@status=0; \
	$(MAKE) --no-print-directory sanity || status=1; \
	$(MAKE) --no-print-directory units || status=1; \
	$(MAKE) --no-print-directory integration || status=1; \
	$(MAKE) --no-print-directory matrix MATRIX_VERSIONS="$(MATRIX_IN_TEST)" || status=1; \
	$(MAKE) --no-print-directory molecule || status=1; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory changelog || status=1; \
	$(MAKE) --no-print-directory docs-test || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED"; else echo "make test: all passed"; fi; \
	exit $$status

sanity: deps
	bash scripts/sanity.sh

units: deps
	$(PY) -m pytest -q -p no:cacheprovider tests/unit

integration: deps
	$(PY) -m pytest -q -p no:cacheprovider tests/integration

# The unit tests and an integration subset under every supported ansible-core series (scripts/matrix.sh),
# one venv each in build/matrix/. In `make test`, 2.19 (the main .venv) is left out of it: `units` and
# `integration` have just run everything there.
MATRIX_IN_TEST ?= 2.15 2.16 2.17 2.18
matrix: deps
	MATRIX_VERSIONS="$(MATRIX_VERSIONS)" bash scripts/matrix.sh

# The roles' molecule scenarios: real DNS servers in network namespaces (extensions/molecule/).
molecule: deps
	cd extensions && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" molecule test --all

lint: deps
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ansible-lint --offline --profile production roles playbooks extensions docs/awx

changelog: deps
	$(VENV)/bin/antsibull-changelog lint

# The HTML documentation as docs.ansible.com builds collections (antsibull-docs + Sphinx, a warning fails
# it), with the README's guides converted at build time: build/docs/html/index.html.
docs: deps
	$(PY) scripts/docs_site.py

# The collection's docs lint, then the built site in headless Chromium: every plugin page shows its
# examples, no internal link or #anchor is broken; screenshot in build/docs/screenshots/.
docs-test: docs
	cd build/collections/ansible_collections/allowlist/egress && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" antsibull-docs lint-collection-docs --plugin-docs .
	$(PY) -m pytest -q -p no:cacheprovider tests/docs

bench: deps
	$(PY) bench/bench_frontends.py
	$(PY) bench/bench_ranges.py
	$(PY) bench/bench_firewalls.py
	$(PY) bench/bench_playbook.py
	$(PY) bench/bench_sync.py
	$(PY) bench/bench_firewalld.py

# Record the Atlas App Services lists into the collection (needs to reach mongodb.com, or FROM_DIR;
# ORIGIN_URL and DATE say where and when the files in FROM_DIR were copied from).
snapshots: deps
	$(PY) scripts/refresh_snapshots.py $(if $(FROM_DIR),--from-dir $(FROM_DIR)) $(if $(ORIGIN_URL),--origin-url $(ORIGIN_URL)) $(if $(DATE),--date $(DATE))

build: deps
	$(VENV)/bin/ansible-galaxy collection build --force --output-path build/

# The build context of docs/awx/execution-environment.yml with this collection in it, in build/ee/context (a
# Containerfile); `podman build -t allowlist-egress-ee build/ee/context` then builds the image.
ee: deps
	rm -rf build/ee && mkdir -p build/ee && cp -r docs/awx/. build/ee/
	$(VENV)/bin/ansible-galaxy collection build --output-path build/ee .
	mv build/ee/allowlist-egress-*.tar.gz build/ee/allowlist-egress.tar.gz
	$(VENV)/bin/ansible-builder create --file build/ee/execution-environment.yml --context build/ee/context --output-filename Containerfile

clean:
	rm -rf build .venv tests/output .pytest_cache
