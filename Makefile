# Set-up and entry points. Each target creates the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= out

CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint bench docs clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sdmodel compare models/perez/perez.mdl --scenarios models/perez/scenarios.toml --out $(OUT)

# Headless Chromium for the explorer's browser tests: Debian's package (Playwright drives it;
# its own browser downloads are not used). Installed when missing and we are root with apt-get.
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium (apt-get) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "make browser: $(CHROMIUM) is missing and cannot be installed here (needs root and apt-get); the browser tests will be skipped"; \
	fi

test: $(STAMP) browser
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/mypy --ignore-missing-imports sdmodel

bench: $(STAMP) browser
	$(PY) -m pytest benchmarks --benchmark-only

clean:
	rm -rf $(VENV) .cache .pytest_cache .benchmarks $(OUT)

# The calibration tutorial reads the country data: $SDMODEL_DATA, else ../shared/data. The
# tutorials share the test suite's translation and kernel cache unless one is set.
DOCS_DATA ?= $(or $(SDMODEL_DATA),../shared/data)
DOCS_CACHE ?= $(or $(SDMODEL_CACHE_DIR),$(CURDIR)/.cache/sdmodel)

docs: $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	SDMODEL_DATA=$(abspath $(DOCS_DATA)) SDMODEL_CACHE_DIR=$(DOCS_CACHE) MPLBACKEND=Agg NO_MKDOCS_2_WARNING=1 PYTHONPATH=docs \
		$(VENV)/bin/mkdocs build --strict
