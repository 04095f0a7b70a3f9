# Everything a new machine needs: `make demo` and `make test` create .venv on first use, from the lock
# (the `lock` group in pyproject.toml: exact versions the suite passed on).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := $(PYTHON) scripts/dependency_lock.py

.PHONY: test test-latest test-oldest lock demo lint docs bench clean

$(STAMP): pyproject.toml
	$(LOCK) install $(VENV)
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# The canary: a scratch venv of the newest versions the ranges allow, then the suite, so a release
# that breaks us is caught here before a new user meets it. `test-oldest` puts every direct dependency
# at its range's lower bound instead, so the ranges stay honest.
test-latest:
	$(LOCK) install .venv-latest --latest
	.venv-latest/bin/pytest

test-oldest:
	$(LOCK) install .venv-oldest --oldest
	.venv-oldest/bin/pytest

# Rewrite the lock from the newest versions the ranges allow (then run `make test` and commit).
lock:
	$(LOCK) lock

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .venv-latest .venv-oldest demo-output

docs: $(STAMP)
	$(BIN)/python -m blocks._docgen

DEMO_GRAPHS := $(sort $(wildcard templates/*.json))

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
