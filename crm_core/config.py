"""Settings enter once, here, from the environment; everything else receives them as arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "sample_data" / "demo_M.duckdb"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    currency: str
    cache_ttl_s: int


def load_settings(env: dict[str, str] | None = None) -> Settings:
    e = os.environ if env is None else env
    return Settings(
        db_path=Path(e.get("CRM_DB") or DEFAULT_DB),
        currency=e.get("CRM_CURRENCY") or "¥",
        cache_ttl_s=int(e.get("CRM_CACHE_TTL") or 600),
    )
