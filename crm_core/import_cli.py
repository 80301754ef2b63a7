"""`python -m crm_core import`: one sentence per problem, a summary by reason, exit 0 only when
the load was accepted."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from crm_core import importer

MAX_SENTENCES = 10  # per reason and column on the terminal; --report has every row


def _print(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def main(args: argparse.Namespace) -> int:
    try:
        mapping = importer.load_mapping(args.mapping) if args.mapping else importer.Mapping()
        table = args.table
        importer.target(table)
        if mapping.table is not None and mapping.table != table:
            raise ValueError(f"the mapping file {args.mapping} is for table {mapping.table}, not {table}")
    except ValueError as exc:
        _print(f"error: {exc}")
        return 2
    if args.skip_invalid_rows:
        mapping = replace(mapping, options=replace(mapping.options, skip_invalid_rows=True))

    def show(fraction: float, step: str) -> None:
        print(f"\r[{fraction:4.0%}] {step:<28}", end="", file=sys.stderr, flush=True)

    report = importer.run_import(
        args.db,
        table,
        args.file,
        mapping,
        args.mode,
        progress=show,
        memory_limit=args.memory_limit,
        state_path=args.state,
        user=importer.default_user(),
        score=not args.no_score,
        problems_out=args.report,
    )
    _print("")
    for p in report.file_problems:
        _print(p.sentence())
    shown: dict[tuple[str, str | None], int] = {}
    for p in report.row_problems:
        k = (p.reason, p.column)
        shown[k] = shown.get(k, 0) + 1
        if shown[k] <= MAX_SENTENCES:
            _print(p.sentence())
    if report.reason_counts:
        _print("Rejected rows by reason:")
        for line in report.summary_lines():
            _print(f"  {line}")
    if args.report is not None and report.rows_rejected:
        _print(f"every rejected cell with its reason: {args.report}")
    if report.loaded:
        written = ", ".join(f"{rows:,} rows into {name}" for name, rows in report.rows_written.items())
        _print(
            f"accepted {args.file.name}: {report.rows_accepted:,} of {report.rows_read:,} rows loaded ({written}); "
            f"{report.rows_rejected:,} rejected; marts rebuilt in {report.seconds:.1f} s"
        )
        return 0
    _print(f"rejected {args.file.name}: nothing was loaded and {args.db} is unchanged")
    return 1
