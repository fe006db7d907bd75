# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt venv bench clean

# torch comes from PyTorch's CPU-only index (the default Linux wheel pulls ~3 GB of CUDA);
# its dependencies are pinned in requirements.txt. Set TORCH_INDEX to your package index's
# URL to take the default build instead.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	grep -v '^torch==' requirements.txt | $(BIN)/pip install --quiet -r /dev/stdin
	$(BIN)/pip install --quiet --no-deps --index-url $(TORCH_INDEX) "$$(grep '^torch==' requirements.txt)"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python bin/serve.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/http/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
