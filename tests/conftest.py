from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
VALIDATION = ROOT.parent / "shared" / "validation"


@pytest.fixture(scope="session")
def validation() -> Path:
    """The published reference data in ../shared/validation (CI always has it beside the clone)."""
    if not VALIDATION.is_dir():
        message = f"validation data not found at {VALIDATION} (clone beside ../shared)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return VALIDATION


@pytest.fixture
def write(tmp_path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode(encoding))
        return p

    return _write


@pytest.fixture(autouse=True)
def _own_working_folder(tmp_path_factory, monkeypatch):
    """Each test in a fresh working folder: outputs written there by default (the run store
    digindex.duckdb of 'digindex run') never land in the repository."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session", autouse=True)
def _session_working_folder(tmp_path_factory):
    """Module and session fixtures are made before a test's own working folder: they work in one
    of their own (a module fixture's 'digindex run' recorded its run in the repository's store)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("session-cwd"))
        yield
