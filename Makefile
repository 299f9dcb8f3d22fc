# legaltv — the two commands a newcomer needs are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_FLAGS ?= -q
PYTEST_ARGS ?=

.PHONY: run setup test test-fast lint typecheck format bench-transcode bench-playlist clean

setup: $(VENV)/.installed node_modules/.installed
	@bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) --upgrade pip
	$(PY) -m pip install $(PIP_FLAGS) -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## Set up everything and start the channel on the embedded default (SQLite, local store, embedded worker).
run: setup
	$(VENV)/bin/legaltv demo

## Run the whole test suite (real ffmpeg, Redis, PostgreSQL, S3 server, Celery worker, Chromium).
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

## The fast tests only (no real encodes, workers or browsers).
test-fast: setup
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench-transcode: setup
	$(PY) bench/transcode.py

bench-playlist: setup
	$(PY) bench/playlist.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
