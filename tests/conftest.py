"""Shared fixtures: one scale-S demo database per test session, built once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from crm_core import build, db
from sample_data.generate import generate

ROOT = Path(__file__).resolve().parent.parent
SEED = 42


@pytest.fixture(scope="session")
def s_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated and built scale-S database. Read it; copy it (s_db_copy) to change it."""
    path = tmp_path_factory.mktemp("data") / "demo_S.duckdb"
    generate("S", SEED, path)
    build.build(path)
    return path


@pytest.fixture
def s_db_copy(s_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(s_db, path)
    return path


@pytest.fixture
def con(s_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(s_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def m_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scale M (50,000 customers): enough power for the statistical checks (about 12 s)."""
    path = tmp_path_factory.mktemp("data_m") / "demo_M.duckdb"
    generate("M", SEED, path)
    build.build(path)
    return path


def open_section(at: Any, page: str, code: str) -> None:
    """What a click on a tabbed page's section does (ui.page_tabs): commit the section, rerun
    (under st.navigation AppTest reruns the page alone)."""
    at.session_state[f"f_tab_{page}"] = code
    at.run()
    assert not at.exception, at.exception
