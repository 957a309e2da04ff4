# icpsim — everyday commands. Needs only Python (3.10–3.12) and pip.
#   make run     create .venv if needed, install the runtime dependencies, then `icpsim up`
#   make test    install with the test extra, then pytest in 2 processes (1 with REDIS_URL; PYTEST_JOBS=N;
#                extra arguments: make test PYTEST_ARGS='-k number -x')
#   make bench   install, then the benchmark of the real stack (`python -m bench`; BENCH_ARGS='--quick --strict')
#   make bench-profile   pyinstrument profiles of a first filing and of the README tour (var/profile-*.html)
#   make check   ruff (lint, imports sorted, format), import-linter contracts, mypy (domain, store), module/function sizes
#   make clean   remove var/ (the embedded Redis data) and caches

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test bench bench-profile check clean install

run: $(STAMP)
	@echo "icpsim: the command line is $(VENV)/bin/icpsim (or: source $(VENV)/bin/activate, then icpsim …)"
	$(VENV)/bin/icpsim up

# Two pytest processes (pytest-xdist), each with its own embedded Redis, a file whole on one;
# one process when REDIS_URL names a server: every test flushes that one database.
PYTEST_JOBS ?= $(if $(REDIS_URL),0,2)

test: $(TEST_STAMP)
	$(VPY) -m pytest -n $(PYTEST_JOBS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	$(VPY) -m bench $(BENCH_ARGS)

bench-profile: $(TEST_STAMP)
	$(VPY) -m bench --profile $(BENCH_ARGS)

check: $(TEST_STAMP)
	$(VENV)/bin/ruff check backend workers mock_miniprogram icpsim_scenario icpsim_cli bench tests tools
	$(VENV)/bin/ruff format --check backend workers mock_miniprogram icpsim_scenario icpsim_cli bench tests tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VPY) tools/check_size.py

install: $(TEST_STAMP)

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
	@echo "icpsim: upgrading pip in $(VENV)"
	-@$(VPY) -m pip install -q --upgrade pip

# Reinstall whenever pyproject.toml changes (new dependency, new console script).
# `make run` needs only the runtime dependencies; `make test` adds the test extra.
# pip is not quiet: the first install takes about a minute and shows what it does.
$(STAMP): pyproject.toml | $(VPY)
	@echo "icpsim: installing icpsim and its runtime dependencies into $(VENV) (first time: about a minute)"
	$(VPY) -m pip install --progress-bar on -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(VPY)
	@echo "icpsim: installing icpsim with its test extra into $(VENV) (first time: about a minute)"
	$(VPY) -m pip install --progress-bar on -e '.[test]'
	@touch $@ $(STAMP)

clean:
	@if [ -S var/redis.sock ] && [ -x $(VPY) ] && $(VPY) -c 'import sys; from backend.runtime import EmbeddedRedis; sys.exit(0 if EmbeddedRedis("var").running else 1)' 2>/dev/null; then \
		echo "error: an embedded Redis is running on var/redis.sock; stop 'icpsim up' first" >&2; exit 1; \
	fi
	rm -rf var .pytest_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
