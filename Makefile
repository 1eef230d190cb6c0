# Only python3 and make are assumed; every other tool is installed into .venv by these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
# Strict editable mode: a tree of links that mypy, pyright and pytest all follow
# (the default editable mode uses an import hook that type checkers cannot see).
EDITABLE := --config-settings editable_mode=strict
# The docs' Python too: the Sphinx configuration, its extension and the link checker.
LINT_PATHS := spec impl conformance tests bench mutation noxfile.py \
	docs/conf.py docs/_ext docs/check_links.py

.PHONY: help venv install install-dev conformance test lint typecheck pytest matrix bench docs clean soak ecosystem mutation mutation-rejudge

help:
	@echo "make conformance  verify the stdlib socketserver and print the clause report"
	@echo "make test         ruff, mypy --strict, pyright strict, then pytest"
	@echo "make matrix       tests and conformance under every CPython/PyPy 3.9+ on this machine (MATRIX_JOBS=2 at a time)"
	@echo "make bench        benchmarks (reference implementation vs stdlib)"
	@echo "make soak         long soak of the stdlib and reference servers (leaks, handle_error, memory)"
	@echo "make docs         build the documentation site"
	@echo "make typing       the typing cases under mypy, pyright, pyrefly, ty and zuban"
	@echo "make ecosystem    the suite on pinned third-party servers (tests/ecosystem/)"
	@echo "make mutation     cosmic-ray mutants of the stdlib socketserver.py vs both suites"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

venv: $(BIN)/python

install: venv
	flock $(VENV)/.install.lock $(PIP) install $(EDITABLE) -e .

install-dev: venv
	flock $(VENV)/.install.lock $(PIP) install $(EDITABLE) -e '.[dev]'

conformance: install
	$(BIN)/sockspec-conformance --xfail-file conformance/xfails/stdlib.xfail

lint: install-dev
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: install-dev
	$(BIN)/mypy $(LINT_PATHS)
	$(BIN)/pyright

pytest: install-dev
	$(BIN)/python -m pytest -n auto -q

test: lint typecheck pytest

# nox sessions (noxfile.py): a venv per Python found at run time (CPython 3.9+, PyPy 3.9+),
# tests and conformance runs in each, then matrix/matrix.json and the report comparison.
# tests/run_matrix.py runs MATRIX_JOBS sessions at a time (they mostly wait on sockets),
# all installing one wheel of sockspec; MATRIX_JOBS=1 runs them one after the other.
MATRIX_JOBS ?= 2
matrix: venv
	flock $(VENV)/.install.lock $(PIP) install $(EDITABLE) -e '.[matrix]'
	$(BIN)/python -m tests.run_matrix --jobs $(MATRIX_JOBS)

# Loopback-only benchmarks of sockspec.impl vs the stdlib (bench/README.md); 3-4 minutes.
# Writes bench/results.json and bench/plots/*.svg, which the docs show.
bench: venv
	flock $(VENV)/.install.lock $(PIP) install $(EDITABLE) -e '.[bench]'
	$(BIN)/python -m bench

# Offline HTML build: fresh environment (-E, the generated pages read data files), warnings
# are errors (-W, all of them reported: --keep-going), nitpicky cross-references (-n); then
# every internal link and anchor of the built site is resolved (Sphinx's linkcheck needs the network).
# The output directory is emptied first: Sphinx never deletes the page of a module or document
# that no longer exists (stale `_modules/` pages stayed reachable from an old build).
DOCS_OUT := docs/_build/html
docs: venv
	flock $(VENV)/.install.lock $(PIP) install $(EDITABLE) -e '.[docs]'
	rm -rf $(DOCS_OUT)
	$(BIN)/python -m sphinx -b html -E -W --keep-going -n -q docs $(DOCS_OUT)
	$(BIN)/python docs/check_links.py $(DOCS_OUT)
	@echo "make docs: site in $(DOCS_OUT)/index.html"

clean:
	rm -rf $(VENV) $(TYPING_VENV) build dist *.egg-info matrix .nox docs/_build

# The long version of tests/reliability/test_soak.py: thousands of hostile requests per server kind.
SOAK_REQUESTS ?= 3000
soak: install-dev
	mkdir -p build
	$(BIN)/python -m tests.reliability.soak --requests $(SOAK_REQUESTS) --json build/soak.json

# The cases of tests/typing under five type checkers, each for the 3.9 and 3.13 targets
# (tests/typing/run_checkers.py). The checkers are pinned in tests/typing/checkers*.txt
# and live in .venv-typing only (mypy 2.x in a venv of its own inside it, as it cannot
# share one with mypy 1.x). Writes tests/typing/results.json, which the docs show.
.PHONY: typing
TYPING_VENV := .venv-typing
TYPING_PIP = -m pip --disable-pip-version-check -q install
$(TYPING_VENV)/bin/python:
	$(PYTHON) -m venv $(TYPING_VENV)

$(TYPING_VENV)/mypy2/bin/python: $(TYPING_VENV)/bin/python
	$(PYTHON) -m venv $(TYPING_VENV)/mypy2

typing: $(TYPING_VENV)/bin/python $(TYPING_VENV)/mypy2/bin/python
	flock $(TYPING_VENV)/.install.lock $(TYPING_VENV)/bin/python $(TYPING_PIP) \
		-r tests/typing/checkers.txt $(EDITABLE) -e .
	flock $(TYPING_VENV)/.install.lock $(TYPING_VENV)/mypy2/bin/python $(TYPING_PIP) \
		-r tests/typing/checkers-mypy2.txt
	$(TYPING_VENV)/bin/python -m tests.typing.run_checkers

# The suite on pinned third-party servers, in their own venv (never in .venv: they are
# targets, not dependencies).  Writes tests/ecosystem/results/, which the docs render, and
# fails on a clause that does not pass and has no line in tests/ecosystem/triage.json.
# ECOSYSTEM_ARGS="--only dnslib" runs a subset.  sockspec goes in as a regular (not
# editable) install, as its users get it: the editable build tree under build/ is .venv's.
ECOSYSTEM_VENV := .venv-ecosystem
ECOSYSTEM_ARGS ?=
$(ECOSYSTEM_VENV)/bin/python:
	$(PYTHON) -m venv $(ECOSYSTEM_VENV)

ecosystem: $(ECOSYSTEM_VENV)/bin/python
	$(ECOSYSTEM_VENV)/bin/python -m pip --disable-pip-version-check -q install -r tests/ecosystem/requirements.txt .
	$(ECOSYSTEM_VENV)/bin/python -m pip --disable-pip-version-check -q install --force-reinstall --no-deps .
	$(ECOSYSTEM_VENV)/bin/python -m tests.ecosystem.run $(ECOSYSTEM_ARGS)

# Mutation score (mutation/run.py): cosmic-ray, pinned, in its own venv, over each CPython's
# socketserver.py (MUTATION_PYTHONS, default "3.9 3.13"), every mutant judged by CPython's
# test_socketserver and by sockspec-conformance.  MUTATION_SAMPLE=N: a seeded sample
# (MUTATION_SEED, default 15).  MUTATION_WORKERS (default 2): mutants judged at once.
# Writes mutation/results/python-X.Y.json.  Not in make test.  After adding a check for a
# survivor: `make mutation-rejudge` judges the open survivors again (python -m mutation.rejudge).
COSMIC_RAY := cosmic-ray==8.7.0
MUTATION_VENV := .venv-mutation
mutation: venv
	test -x $(MUTATION_VENV)/bin/cosmic-ray || $(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip --disable-pip-version-check -q install '$(COSMIC_RAY)'
	$(BIN)/python -m mutation.run

mutation-rejudge: venv
	$(BIN)/python -m mutation.run --retriage
	$(BIN)/python -m mutation.rejudge
