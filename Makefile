# Everything a new machine needs: `make demo` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) demo-output

docs: $(STAMP)
	$(BIN)/python -m blocks._docgen

demo: $(STAMP)
	$(BIN)/fal-video graph templates/video_fanout.json --sandbox --output demo-output
	@echo "demo: playable clips are in $(CURDIR)/demo-output/clips/:"
	@ls -1 demo-output/clips/
