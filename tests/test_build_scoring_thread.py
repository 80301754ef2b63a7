"""Scoring runs in a thread alongside the marts: failures on either side still leave the file as
it was, the thread never outlives the build, and progress is reported from the caller's thread."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from pathlib import Path

import pytest

from crm_core import build, clv, db


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scoring_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "clv-scoring"]


def test_scoring_starts_after_the_mart_it_reads(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It starts once order_facts exists, before the last mart, and the build waits for it."""
    started: list[str] = []
    built: list[str] = []
    real = clv.BackgroundScore.__init__

    def spy(self: clv.BackgroundScore, con: object, as_of: date) -> None:
        started.append(built[-1])
        real(self, con, as_of)  # type: ignore[arg-type]

    monkeypatch.setattr(clv.BackgroundScore, "__init__", spy)
    c = db.connect(s_db_copy, read_only=False)
    try:
        report = build.rebuild_into(c, None, lambda f, step: built.append(step))
        assert started == [clv.SCORING_READS]
        assert report.score is not None and report.score.status == "ok"
        assert db.scalar(c, "select count(*) from customer_clv") == report.mart_rows["customer_clv"] > 0
        assert built[-1] == "clv done" and not scoring_threads()
    finally:
        c.close()


def test_a_failing_mart_stops_and_waits_for_scoring(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(s_db_copy)
    after_order_facts = build.MARTS.index(clv.SCORING_READS) + 1
    monkeypatch.setattr(build, "MARTS", (*build.MARTS[:after_order_facts], "no_such_mart"))
    with pytest.raises(ValueError, match="no such query"):
        build.build(s_db_copy)
    assert not scoring_threads()
    assert digest(s_db_copy) == before
    assert not list(s_db_copy.parent.glob(".*.tmp"))


def test_a_scoring_crash_fails_the_build(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not data the models cannot fit (that is recorded in clv_model_fit): a bug is raised."""
    before = digest(s_db_copy)

    def crash(*args: object, **kwargs: object) -> clv.ScoreReport:
        raise RuntimeError("scoring bug")

    monkeypatch.setattr(clv, "score_into", crash)
    with pytest.raises(RuntimeError, match="scoring bug"):
        build.build(s_db_copy)
    assert not scoring_threads()
    assert digest(s_db_copy) == before
