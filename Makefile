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

# The API documentation page (/api/docs) serves Swagger UI from Plein itself, never from a CDN
$(VENDOR)/swagger-ui/swagger-ui-bundle.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	  node_modules/swagger-ui-dist/LICENSE $(VENDOR)/swagger-ui/

install: $(BIN)/plein node_modules/.package-lock.json $(VENDOR)/utrecht.css $(VENDOR)/swagger-ui/swagger-ui-bundle.js

# The browser test drives Debian's chromium, and the PDF documents (WeasyPrint) need Pango and a font; install what
# is missing when we may (root with apt-get). Without dpkg (not Debian) only chromium is looked for.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
chromium:
	@{ command -v chromium >/dev/null && { ! command -v dpkg >/dev/null || dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1; }; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium $(PDF_PACKAGES) >/dev/null; } || \
	  { echo "The tests need Debian's chromium, Pango and a font: apt-get install chromium $(PDF_PACKAGES)"; exit 1; }

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
	$(BIN)/python bench/log_verify.py --postgres "$${PLEIN_TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
