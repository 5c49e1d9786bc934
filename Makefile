# staffbot — the README's two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck check bench docs-img soak browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Install, then start the bot on the embedded defaults (SQLite, web channel).
run: install
	$(PY) main.py run

## Install, then run the whole test suite (SQLite and the local PostgreSQL).
test: install browser
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

check: lint typecheck test

## Benchmarks: print their figures and write docs/PERFORMANCE.md.
bench: install
	$(PY) -m bench.run_all

## Redraw the README's document pictures (docs/img) from the code, on the demo data.
docs-img: install
	$(PY) bench/render_previews.py

## Long crash and soak rounds (full figures; CI runs short rounds).
soak: install
	STAFFBOT_SOAK=full $(PY) -m pytest -m slow -p no:randomly

## Debian's chromium for the browser test (Playwright's own download does not work here).
## apt needs root: without it (and without chromium) the browser tests are skipped.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is missing and apt needs root: the browser tests will be skipped" \
		"(sudo apt-get install chromium)"; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
