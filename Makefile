# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

.PHONY: run test lint fmt venv lock bench clean

# torch comes from PyTorch's CPU-only index first (the default Linux wheel pulls ~3 GB of
# CUDA). Where that index can't be reached, the configured package index (PIP_INDEX_URL,
# pip.conf, a mirror) is used instead of failing. TORCH_INDEX= (empty) skips the CPU index.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH := $(shell grep '^torch==' requirements/base.txt)
PIP := $(BIN)/pip install --progress-bar on --disable-pip-version-check

$(RUNTIME): requirements/base.txt
	@echo "==> [1/3] virtualenv in $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] $(TORCH), CPU build (about 200 MB download, 800 MB installed)"
	$(if $(TORCH_INDEX),$(PIP) --timeout 15 --retries 1 --no-deps --index-url $(TORCH_INDEX) "$(TORCH)" || \
	  { echo "==> CPU index unreachable: taking $(TORCH) from the configured package index"; \
	    $(PIP) --no-deps "$(TORCH)"; },$(PIP) --no-deps "$(TORCH)")
	@echo "==> [3/3] runtime requirements (requirements/base.txt)"
	$(PIP) -r requirements/base.txt
	touch $(RUNTIME)

$(DEV): $(RUNTIME) requirements/dev.txt
	@echo "==> test and tooling requirements (requirements/dev.txt)"
	$(PIP) -r requirements/dev.txt
	touch $(DEV)

venv: $(RUNTIME)

run: $(RUNTIME)
	$(BIN)/python bin/serve.py

test: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Recompile the pinned files from the direct dependencies in requirements/*.in. The local
# version label of the CPU wheel (+cpu) is dropped so the pin matches either build.
lock: $(DEV)
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o dev.txt dev.in
	sed -i 's/^\(torch==[0-9.]*\)+cpu$$/\1/' requirements/base.txt

bench: $(DEV)
	$(BIN)/python bench/http/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
