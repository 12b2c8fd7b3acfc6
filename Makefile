# Every target builds .venv itself, so a fresh clone needs nothing but `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench package clean setup

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,dev]'
	bash packaging/system-deps.sh $(PY)
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) main.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

package: $(STAMP)
	$(PY) -m pip install --quiet 'pyinstaller>=6.0'
	$(VENV)/bin/pyinstaller --noconfirm packaging/ghostline.spec

clean:
	rm -rf $(VENV) build dist *.egg-info bench/results
