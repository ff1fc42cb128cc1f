"""The `e2e` marker (tests in a real VS Code; see test_vscode.py)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "e2e: drives a real VS Code (code-server) in Chromium; needs tests/e2e_vscode/setup.sh "
        "and LEANSTEP_E2E_DIR; skipped without them unless LEANSTEP_REQUIRE_E2E=1",
    )
