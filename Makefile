# legaltv — the two commands a newcomer needs are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_FLAGS ?= -q
PYTEST_ARGS ?=

.PHONY: run setup system-deps test test-fast lint format bench-transcode bench-playlist bench-viewers bench-live clean

## Set up everything and start the channel on the embedded default (SQLite, local store, embedded worker).
run: setup
	$(VENV)/bin/legaltv demo

## Run the whole test suite (real ffmpeg, Redis, PostgreSQL, an S3 server, a Celery worker, Chromium).
## TEST_WORKERS=2 runs it in two pytest-xdist processes, the browser tests in a second run (a Playwright
## driver holds its process's event loop): ~13-15 minutes instead of ~24, but not yet reliable enough
## for CI (see the README).
TEST_WORKERS ?= 1
test: export LEGALTV_SYSTEM_DEPS = test
test: setup
ifeq ($(TEST_WORKERS),1)
	$(PY) -m pytest $(PYTEST_ARGS)
else
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser" $(PYTEST_ARGS)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m browser $(PYTEST_ARGS)
endif

## The fast tests only (no real encodes, workers or browsers).
test-fast: setup
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

# system packages first: the Python and npm steps below need python3-venv and npm
setup: system-deps $(VENV)/.installed node_modules/.installed

system-deps:
	@bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV) && python3 -m venv $(VENV); }
	$(PY) -m pip install $(PIP_FLAGS) --upgrade pip
	$(PY) -m pip install $(PIP_FLAGS) -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## ruff, the format check and mypy strict over the packages, tests and bench (what CI and pre-commit run).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench-transcode: setup
	$(PY) bench/transcode.py

## a 1080p25 contribution: the live ladder's encode speed and glass-to-playlist (docs/benchmarks.md)
bench-live: export LEGALTV_SYSTEM_DEPS = test
bench-live: setup
	$(PY) bench/live.py

bench-playlist: export LEGALTV_SYSTEM_DEPS = test
bench-playlist: setup
	$(PY) bench/playlist.py

## How many HLS viewers the embedded default, the edge stack and nginx alone keep up with (15-25 minutes).
bench-viewers: export LEGALTV_SYSTEM_DEPS = test
bench-viewers: setup
	$(PY) bench/viewers.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache test-output
