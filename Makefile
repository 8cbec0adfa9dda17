# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
STAMP := $(VENV)/.installed

.PHONY: install browser demo test lint typecheck unit docs bench reference clean

$(STAMP): pyproject.toml $(addsuffix /pyproject.toml,$(PLUGIN_DIRS))
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' $(addprefix -e ,$(PLUGIN_DIRS))
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/govflow simulate --replace

lint: install
	$(BIN)/ruff check src tests plugins templates bench docs
	$(BIN)/ruff format --check src tests plugins templates bench docs

typecheck: install
	$(BIN)/mypy

# The report's browser test needs Debian's chromium (and a CJK font for its screenshot). CI runs
# as root on a fresh machine: install them there; elsewhere the test says why it is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "chromium is missing and cannot be installed here: the browser tests will be skipped"; \
	  fi; }

unit: install browser
	$(BIN)/python -m pytest

# The docs site, as readers get it; --strict turns every warning (a broken link, a docstring
# that does not parse, a name the reference cannot find) into a failure.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: lint typecheck unit docs

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/org_graph.py
	$(BIN)/python bench/store.py

reference: install
	$(BIN)/python docs/reference_gen.py

clean:
	rm -rf $(VENV) build dist site .mypy_cache .ruff_cache .pytest_cache .hypothesis
