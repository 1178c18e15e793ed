"""Shared fixtures: where the real NIX files are, and sha256 of files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

# The real files live in shared/ beside the repository (also in CI's fresh clone);
# NIXKIT_REALFILES may point elsewhere.
REALFILES = Path(
    os.environ.get("NIXKIT_REALFILES", Path(__file__).resolve().parents[2] / "shared" / "testdata" / "realfiles")
)


def realfile_paths() -> list[Path]:
    """Every NIX file among the real files, sorted (fails loudly when they are missing)."""
    if not REALFILES.is_dir():
        raise FileNotFoundError(
            f"real NIX test files not found at {REALFILES}; set NIXKIT_REALFILES to the realfiles folder"
        )
    return sorted(p for p in REALFILES.rglob("*") if p.suffix in (".nix", ".h5"))


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def realfiles() -> Path:
    """The folder holding the real NIX files."""
    realfile_paths()
    return REALFILES
