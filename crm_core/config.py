"""Settings enter once, here, from the environment; everything else receives them as arguments."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "sample_data" / "demo_M.duckdb"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    state_path: Path  # saved segments (SQLite), writable while the DuckDB file is served read-only
    currency: str
    cache_ttl_s: int
    # DuckDB's buffer pool for the app's read-only connection (CRM_MEMORY_LIMIT, e.g. "2GB")
    memory_limit: str = "1GB"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    e = os.environ if env is None else env
    db_path = Path(e.get("CRM_DB") or DEFAULT_DB)
    state_path = Path(e.get("CRM_STATE") or default_state_path(db_path))
    return Settings(
        db_path=db_path,
        state_path=state_path,
        currency=e.get("CRM_CURRENCY") or _stored_currency(state_path) or "¥",
        cache_ttl_s=int(e.get("CRM_CACHE_TTL") or 600),
        memory_limit=_memory_limit(e.get("CRM_MEMORY_LIMIT") or "1GB"),
    )


def _memory_limit(value: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value.strip(), re.IGNORECASE):
        raise ValueError(f"CRM_MEMORY_LIMIT must be an amount like 1GB or 512MB, got {value!r}")
    return value.strip()


def default_state_path(db_path: Path) -> Path:
    """demo_M.duckdb -> demo_M.state.sqlite, beside it."""
    return db_path.with_name(f"{db_path.stem}.state.sqlite")


def _stored_currency(state_path: Path) -> str | None:
    """The currency an import's mapping declared (e.g. £ for a UK shop), kept in the state store."""
    from crm_core import store

    try:
        return store.get_setting(state_path, "currency")
    except Exception:  # an unreadable store must not stop the app; the default applies
        return None
