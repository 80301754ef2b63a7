"""Command line: python -m crm_core build|stats ..."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from crm_core import build as build_mod
from crm_core import db


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crm_core", description="CRM dashboard core")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build staging views and marts (atomic swap)")
    b.add_argument("--db", type=Path, required=True)
    b.add_argument("--as-of", type=_date, default=None, help="as-of date (default: the data's last day)")
    b.add_argument("--no-score", action="store_true", help="skip lifetime-value scoring after the build")
    c = sub.add_parser("score", help="fit BG/NBD + Gamma-Gamma and store lifetime value scores (atomic swap)")
    c.add_argument("--db", type=Path, required=True)
    c.add_argument("--as-of", type=_date, default=None, help="as-of date (default: the build's as-of date)")
    c.add_argument("--horizon-months", type=int, default=None, help="CLV horizon in months (default 12)")
    c.add_argument("--discount", type=float, default=None, help="monthly discount rate (default 0.01)")
    c.add_argument("--holdout-weeks", type=int, default=None, help="validation holdout in weeks (default 26)")
    s = sub.add_parser("stats", help="print a JSON summary of the raw data")
    s.add_argument("--db", type=Path, required=True)
    e = sub.add_parser("export", help="export a saved segment's customers with their contact details")
    e.add_argument("--db", type=Path, required=True)
    e.add_argument("--segment", required=True, help="the saved segment's name")
    e.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--state", type=Path, default=None, help="saved-segment store (default: beside the database)")
    i = sub.add_parser("import", help="validate a file and load it into a raw table, then rebuild (all or nothing)")
    i.add_argument("--db", type=Path, required=True)
    i.add_argument("--table", required=True, help="a raw table, or order_lines (fills orders and order_items)")
    i.add_argument("--file", type=Path, required=True, help="CSV (UTF-8, BOM or GBK), Parquet or xlsx")
    i.add_argument("--mapping", type=Path, default=None, help='mapping TOML: [columns] target = "header", [options]')
    i.add_argument("--mode", choices=("append", "replace"), default="append")
    i.add_argument("--skip-invalid-rows", action="store_true", help="load the valid rows and report the others")
    i.add_argument("--report", type=Path, default=None, help="write every rejected row with its reason to this CSV")
    i.add_argument("--no-score", action="store_true", help="skip lifetime-value scoring after the rebuild")
    i.add_argument("--memory-limit", default=None, help="DuckDB memory limit for the load, e.g. 500MB")
    i.add_argument(
        "--state", type=Path, default=None, help="state store for the import log (default: beside the database)"
    )
    args = ap.parse_args(argv)

    if args.command == "build":

        def show(fraction: float, step: str) -> None:
            print(f"\r[{fraction:4.0%}] {step:<28}", end="", file=sys.stderr, flush=True)

        try:
            report = build_mod.build(args.db, args.as_of, show, score=not args.no_score)
        except build_mod.BuildError as exc:
            print(f"\nerror: {exc}", file=sys.stderr)
            return 2
        print(f"\nbuilt {args.db} as of {report.as_of} in {report.seconds:.1f} s", file=sys.stderr)
        for name, rows in report.mart_rows.items():
            print(f"  {name:<26}{rows:>12,} rows {report.mart_seconds[name]:6.2f} s", file=sys.stderr)
        if report.score is not None and report.score.status != "ok":
            print(f"lifetime value not scored: {report.score.message}", file=sys.stderr)
        return 0
    if args.command == "score":
        return _score(args)
    if args.command == "stats":
        if not args.db.exists():
            print(f"error: {args.db} does not exist", file=sys.stderr)
            return 2
        con = db.connect(args.db, read_only=True)
        try:
            print(json.dumps(build_mod.stats(con), ensure_ascii=False, indent=2))
        finally:
            con.close()
        return 0
    if args.command == "export":
        return _export(args)
    if args.command == "import":
        from crm_core import import_cli

        return import_cli.main(args)
    return 1


def _score(args: argparse.Namespace) -> int:
    from crm_core import clv

    def show(fraction: float, step: str) -> None:
        print(f"\r[{fraction:4.0%}] {step:<28}", end="", file=sys.stderr, flush=True)

    try:
        defaults = clv.ScoreSettings()
        settings = clv.ScoreSettings(
            horizon_months=args.horizon_months or defaults.horizon_months,
            monthly_discount=defaults.monthly_discount if args.discount is None else args.discount,
            holdout_weeks=args.holdout_weeks or defaults.holdout_weeks,
        )
        report = clv.score(args.db, args.as_of, settings, show)
    except (clv.ScoringError, build_mod.BuildError, ValueError) as exc:
        print(f"\nerror: {exc}; the database was not changed", file=sys.stderr)
        return 2
    assert report.fit is not None
    print(
        f"\nscored {report.fit.customers:,} customers of {args.db} as of {report.as_of} in {report.seconds:.1f} s",
        file=sys.stderr,
    )
    for name, params in (("BG/NBD (weeks)", report.fit.bgnbd), ("Gamma-Gamma", report.fit.gamma_gamma)):
        print(f"  {name:<16}" + "  ".join(f"{k}={v:.4g}" for k, v in params.items()), file=sys.stderr)
    if report.validation:
        v = report.validation
        print(
            f"  holdout {v['holdout_weeks']:.0f} weeks: predicted {v['predicted_total']:,.0f} repeat purchase days, "
            f"actual {v['actual_total']:,.0f} ({v['relative_error']:+.1%})",
            file=sys.stderr,
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from crm_core import segments, store
    from crm_core.config import default_state_path
    from crm_core.filters import Filters

    if not args.db.exists():
        print(f"error: {args.db} does not exist", file=sys.stderr)
        return 2
    state = args.state or default_state_path(args.db)
    saved = store.find_segment(state, args.segment)
    if saved is None:
        names = ", ".join(repr(s.name) for s in store.list_segments(state)) or "none"
        print(f"error: no saved segment named {args.segment!r} in {state} (saved: {names})", file=sys.stderr)
        return 2
    con = db.connect(args.db, read_only=True)
    try:
        as_of = build_mod.as_of_of(con)
        frame = segments.segment_customers(
            con, Filters(as_of=as_of, segment=saved.conditions, segment_id=saved.segment_id), limit=None
        )
    finally:
        con.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(segments.export_bytes(frame, args.format))
    print(f"wrote {len(frame):,} customers of {saved.name!r} to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
