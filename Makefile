# digindex: `make demo` runs the main job, `make test` runs the whole suite.
# Both create .venv when missing and install the project with its test extras.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install clean system-deps

system-deps:
	@if ! $(PYTHON) -c 'import venv, ensurepip' >/dev/null 2>&1; then \
	  echo "installing python3-venv"; apt-get update -qq && apt-get install -y -qq python3-venv; fi

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/digindex demo

test: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests were collected: failing"; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) out .pytest_cache
