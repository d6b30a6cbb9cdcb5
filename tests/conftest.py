from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
VALIDATION = ROOT.parent / "shared" / "validation"


@pytest.fixture(scope="session")
def validation() -> Path:
    assert VALIDATION.is_dir(), f"validation data not found at {VALIDATION} (clone beside ../shared)"
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
