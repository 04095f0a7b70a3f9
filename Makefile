# Everything a new machine needs: `make demo` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) demo-output

docs: $(STAMP)
	$(BIN)/python -m blocks._docgen

DEMO_GRAPHS := templates/video_fanout.json templates/prompt_to_video_with_audio.json templates/fanout_submit_collect.json templates/long_video.json

# Offline: the embedded fal sandbox renders small synthetic clips; nothing is billed.
demo: $(STAMP)
	for graph in $(DEMO_GRAPHS); do $(BIN)/fal-video graph $$graph --sandbox --output demo-output || exit 1; done
	@echo "demo: playable clips are in $(CURDIR)/demo-output/clips/:"
	@ls -1 demo-output/clips/

# The run loop's benches take about ten minutes (the lag table follows 300 s jobs in real time;
# BENCH_LAG_LENGTHS=10,30 shortens it).
bench: $(STAMP)
	$(BIN)/python -m bench.render
	$(BIN)/python -m bench.fault_run
	$(BIN)/python -m bench.status_lag
	$(BIN)/python -m bench.capacity
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.startup
