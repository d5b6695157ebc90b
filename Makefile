# Plein: `make demo` runs it, `make test` checks it, `make bench` measures it. Each installs what is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/plein/web/static/vendor

.PHONY: demo test bench lint pytest install chromium clean

$(BIN)/plein: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/plein

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

$(VENDOR)/utrecht.css: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/@utrecht/component-library-css/dist/index.css $(VENDOR)/utrecht.css

install: $(BIN)/plein node_modules/.package-lock.json $(VENDOR)/utrecht.css

# The browser test drives Debian's chromium; install it when it is missing and we may (root with apt-get).
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "The browser test needs Debian's chromium: apt-get install chromium"; exit 1; }

demo: install
	$(BIN)/plein demo

lint: install
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/mypy src

pytest: install chromium
	$(BIN)/pytest

test: lint pytest

bench: install
	$(BIN)/python bench/store_search.py
	$(BIN)/python bench/brp_lookup.py
	$(BIN)/python bench/notifications.py
	$(BIN)/python bench/zaken.py
	$(BIN)/python bench/services.py
	$(BIN)/python bench/cpu_per_request.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
