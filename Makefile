# digindex: `make demo` runs the main job, `make test` runs the whole suite.
# Both create .venv when missing and install the project with its test extras.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install clean system-deps

# Debian packages (fonts, WeasyPrint's libraries; for tests also poppler, a JRE, PostgreSQL and
# Chromium) are installed by scripts/system-deps.sh when missing.
system-deps:
	@bash scripts/system-deps.sh $(if $(filter test,$(MAKECMDGOALS)),test,core)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: system-deps $(STAMP)
	$(VENV)/bin/digindex demo

test: system-deps $(STAMP)
	$(PY) -m pytest -p no:cacheprovider; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests were collected: failing"; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) out .pytest_cache
