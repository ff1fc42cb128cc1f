"""The pygls language server: translates LSP to `prover_core.service` calls."""
