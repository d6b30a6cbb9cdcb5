# digindex: `make demo` runs the main job, `make test` runs the whole suite.
# Both create .venv when missing and install the project with its test extras.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install clean system-deps bytecode

# Debian packages (fonts, WeasyPrint's libraries; for tests also poppler, a JRE, PostgreSQL and
# Chromium) are installed by scripts/system-deps.sh when missing.
system-deps:
	@bash scripts/system-deps.sh $(if $(filter test,$(MAKECMDGOALS)),test,core)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# the bytecode of the sources, as a non-editable install would have it: with
# PYTHONDONTWRITEBYTECODE set (as on some CI machines) Python would otherwise compile every
# module of digindex again in each process (~0.4 s of each command's start)
bytecode: $(STAMP)
	@$(PY) -m compileall -q src >/dev/null

install: $(STAMP) bytecode

demo: system-deps $(STAMP) bytecode
	$(VENV)/bin/digindex demo

test: system-deps $(STAMP) bytecode
	$(PY) -m pytest -p no:cacheprovider; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests were collected: failing"; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) out .pytest_cache
