# leanstep — set-up, main job, tests. Everything installs from this repo's own files.
PYTHON ?= python3
VENV ?= .venv
# The CPU build of torch (CI and laptops). On a CUDA machine, install your CUDA torch into the
# venv first, or pass TORCH_SPEC="torch==2.13.0" with your CUDA wheel index.
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck unit clean

$(BIN)/leanstep: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[model,lsp,dev]"
	touch $(BIN)/leanstep

setup: $(BIN)/leanstep

demo: setup
	$(BIN)/leanstep demo --quick

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy prover_core lsp_server training benchmarks

unit: setup
	$(BIN)/pytest -q -rs

test: lint typecheck unit

clean:
	rm -rf $(VENV) build *.egg-info
