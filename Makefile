# icpsim — everyday commands. Needs only Python (3.10–3.12) and pip.
#   make run     create .venv if needed, install, then `icpsim up`
#   make test    install, then pytest (extra arguments: make test PYTEST_ARGS='-k number -x')
#   make bench   install, then the benchmark (`python -m bench`)
#   make check   ruff (lint + format), import-linter contracts, mypy (domain, store), module/function sizes
#   make clean   remove var/ (the embedded Redis data) and caches

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test bench check clean install

run: $(STAMP)
	$(VENV)/bin/icpsim up

test: $(STAMP)
	$(VPY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(VPY) -m bench

check: $(STAMP)
	$(VENV)/bin/ruff check backend workers mock_miniprogram bench tests tools
	$(VENV)/bin/ruff format --check backend workers mock_miniprogram bench tests tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VPY) tools/check_size.py

install: $(STAMP)

# The venv: `python -m venv`; where ensurepip is missing (Debian without python3-venv),
# virtualenv if present, else a venv without pip that borrows the system's pip.
$(VPY):
	@$(PYTHON) -c 'import sys; assert (3, 10) <= sys.version_info[:2] < (3, 13), "icpsim needs Python 3.10-3.12, found " + sys.version.split()[0]'
	@if $(PYTHON) -m venv $(VENV) 2>/dev/null; then \
		echo "created $(VENV) with $(PYTHON) -m venv"; \
	elif rm -rf $(VENV) && $(PYTHON) -m virtualenv -q $(VENV) 2>/dev/null; then \
		echo "created $(VENV) with virtualenv"; \
	else \
		rm -rf $(VENV); \
		echo "note: '$(PYTHON) -m venv' cannot install pip here (no ensurepip); using the system pip"; \
		$(PYTHON) -m venv --without-pip --system-site-packages $(VENV); \
		$(VPY) -m pip --version >/dev/null || { echo "error: no pip available for $(PYTHON); install pip or python3-venv" >&2; exit 1; }; \
	fi
	-@$(VPY) -m pip install -q --upgrade pip

# Reinstall whenever pyproject.toml changes (new dependency, new console script).
$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install -q -e '.[test]'
	@touch $@

clean:
	@if [ -S var/redis.sock ] && [ -x $(VPY) ] && $(VPY) -c 'import sys; from backend.runtime import EmbeddedRedis; sys.exit(0 if EmbeddedRedis("var").running else 1)' 2>/dev/null; then \
		echo "error: an embedded Redis is running on var/redis.sock; stop 'icpsim up' first" >&2; exit 1; \
	fi
	rm -rf var .pytest_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
