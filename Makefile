# The two commands of the README. Both create (or reuse) the virtual environment .venv first.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: run test setup setup-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -r requirements.txt

# the HTML report test drives Debian's headless Chromium
setup-dev: $(BIN)/python
	$(BIN)/pip install -r requirements-dev.txt
	command -v chromium >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# set up, then train, evaluate and package fr_minister_meetings_md (offline after set-up)
run: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/spacy project run all

# set up, then run the test suite
test: setup-dev
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest tests -v
