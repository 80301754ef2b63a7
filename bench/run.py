"""`python -m bench --scale M|L`: generate (cached) and build a demo scale, then measure.

1. generator time (cached: an existing sample_data/demo_<SCALE>.duckdb is reused, with the time
   recorded when it was made), build time per mart, scoring time when the core has a `score`
   command;
2. per page (discovered from app.py), the server-side cost of an interaction through AppTest
   with st.cache_data cleared: cold, then warm p50/p95 over randomised filter settings;
3. the pandas peer, checked against ours, and the ratio peer / ours for each headline metric;
4. Chromium: first render and widget change -> chart updated per page, against a one-chart floor
   app; websocket bytes per rerun; peak RSS of the app's server process.

Writes bench/results-<scale>.md and bench/results-<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.pages import ROOT, discover

GOALS = {"p95_ms": 150, "peer_ratio": 10, "browser_vs_floor": 1.2, "build_s": 60, "rss_mb": 2048, "rerun_mb": 5}


def log(message: str) -> None:
    print(message, flush=True)


def _sidecar(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".gen.json")


def generate(scale: str, seed: int, db_path: Path) -> float:
    """Generator seconds: measured now, or recorded when the cached file was made."""
    sidecar = _sidecar(db_path)
    if db_path.exists() and sidecar.exists():
        seconds = float(json.loads(sidecar.read_text())["generate_s"])
        log(f"generate: reusing {db_path.relative_to(ROOT)} (generated in {seconds:.1f} s)")
        return seconds
    from sample_data.generate import generate as make

    db_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    make(scale, seed, db_path)
    seconds = time.perf_counter() - t0
    sidecar.write_text(json.dumps({"generate_s": round(seconds, 1), "seed": seed}))
    log(f"generate: scale {scale} in {seconds:.1f} s")
    return seconds


def build(db_path: Path, rebuild: bool) -> dict[str, Any]:
    """Build in a child process (its own memory); returns seconds and seconds per mart."""
    sidecar = db_path.with_name(db_path.name + ".build.json")
    if not rebuild and sidecar.exists():
        info = json.loads(sidecar.read_text())
        if info.get("generation") == list(_generation(db_path)) and info.get("code") == _build_code_hash():
            log(f"build: reusing the build of {info['built_at']} ({info['build_s']:.1f} s)")
            return info
    code = (
        "import inspect, json, sys; from crm_core import build; "
        # scoring (when the core has it) is timed on its own, below
        "kw = {'score': False} if 'score' in inspect.signature(build.build).parameters else {}; "
        "r = build.build(sys.argv[1], **kw); "
        "print(json.dumps({'build_s': r.seconds, 'mart_s': r.mart_seconds, 'mart_rows': r.mart_rows}))"
    )
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(db_path)], cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    info = json.loads(out.stdout.decode().strip().splitlines()[-1])
    info["build_wall_s"] = round(wall, 1)
    info["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    info["generation"] = list(_generation(db_path))
    info["code"] = _build_code_hash()
    sidecar.write_text(json.dumps(info))
    slowest = sorted(info["mart_s"].items(), key=lambda kv: -kv[1])[:3]
    log(f"build: {info['build_s']:.1f} s (slowest: {', '.join(f'{k} {v:.1f} s' for k, v in slowest)})")
    return info


def _build_code_hash() -> str:
    """What the build is made of (its SQL and Python): a cached build of other code is rebuilt."""
    import hashlib

    h = hashlib.sha256()
    core = ROOT / "crm_core"
    for path in sorted([*core.glob("sql/**/*.sql"), *core.glob("*.py")]):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _generation(db_path: Path) -> tuple[int, int, int]:
    from crm_core import db

    return db.generation(db_path)


def score(db_path: Path) -> float | None:
    """Seconds of `python -m crm_core score --db FILE` when the core has that command."""
    help_text = subprocess.run(
        [sys.executable, "-m", "crm_core", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    if "score" not in help_text:
        log("score: no `python -m crm_core score` command yet; skipped")
        return None
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "crm_core", "score", "--db", str(db_path)], cwd=ROOT, check=True)
    seconds = time.perf_counter() - t0
    log(f"score: {seconds:.1f} s")
    return seconds


def write_results(scale: str, results: dict[str, Any]) -> None:
    out_json = ROOT / "bench" / f"results-{scale}.json"
    out_json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = [
        f"# Benchmark results, scale {scale}",
        "",
        f"`python -m bench --scale {scale}` on {results['machine']}, {results['measured_at']}; load average "
        f"{results.get('load_avg_start', ['?'])[0]} at the start, {results.get('load_avg_end', ['?'])[0]} at the end "
        "(the machine is shared: above 2 the timings include waiting for a core).",
        f"{results['customers']:,} customers, {results['orders']:,} orders. Goals: warm p95 ≤ {GOALS['p95_ms']} ms "
        f"per page, peer/ours ≥ {GOALS['peer_ratio']}x, browser change ≤ {GOALS['browser_vs_floor']}x the floor, "
        f"build ≤ {GOALS['build_s']} s, app RSS ≤ {GOALS['rss_mb']} MB, a rerun ≤ {GOALS['rerun_mb']} MB.",
        "",
        *([f"Note: {results['note']}", ""] if results.get("note") else []),
        f"- generate: {results['generate_s']:.1f} s; build: {results['build_s']:.1f} s"
        + (f"; score: {results['score_s']:.1f} s" if results.get("score_s") is not None else "; score: (no command)"),
        f"- slowest marts: {', '.join(f'{k} {v:.1f} s' for k, v in results['slowest_marts'].items())}",
    ]
    if results.get("rss_mb") is not None:
        lines.append(f"- app server peak RSS (VmHWM) after visiting every page: {results['rss_mb']:.0f} MB")
        lines.append(f"- largest rerun sent to the browser: {results['max_rerun_mb']:.2f} MB")
    lines += [
        "",
        "## Server side: one interaction (AppTest run of app.py + page, st.cache_data cleared)",
        "",
        f"{results['runs']} randomised filter settings per page (as-of date, period, regions, channels, tiers; "
        "a saved segment in a third of them). Queries = time inside the core query functions. "
        "A tabbed page runs only its open section: `page` is its default section, `page/section` another.",
        "",
        "| page | cold ms | p50 ms | p95 ms | queries p95 ms | with segment p95 ms | slowest queries (p95 ms) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results["pages"].items():
        slow = ", ".join(f"{k} {v:.0f}" for k, v in r.get("slowest_queries_p95_ms", {}).items())
        lines.append(
            f"| {name} | {r['cold_ms']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['query_p95_ms']:.0f} "
            f"| {r['segment_p95_ms']:.0f} | {slow} |"
        )
    if results.get("peer"):
        lines += [
            "",
            "## Peer: the same metrics with pandas on raw tables held in memory (checked equal to ours)",
            "",
            "| metric | ours ms | pandas ms | peer / ours |",
            "|---|---:|---:|---:|",
        ]
        for name, r in results["peer"].items():
            lines.append(f"| {name} | {r['ours_ms']:.1f} | {r['peer_ms']:.1f} | {r['ratio']:.1f}x |")
    if results.get("browser"):
        b = results["browser"]
        f = b["floor"]
        lines += [
            "",
            "## Browser (Chromium): first render and sidebar change -> charts redrawn",
            "",
            f"Floor (bench/floor_app.py, one chart): first render {f['first_render_ms']:.0f} ms, "
            f"change {f['change_ms']:.0f} ms.",
            "",
            "| page | first render ms | change ms (median) | change / floor | rerun bytes |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, r in b["pages"].items():
            lines.append(
                f"| {name} | {r['first_render_ms']:.0f} | {r['change_ms']:.0f} | {r['change_vs_floor']:.2f}x "
                f"| {r['rerun_bytes']:,} |"
            )
    (ROOT / "bench" / f"results-{scale}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"wrote bench/results-{scale}.md and .json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("S", "M", "L"), default="M")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=30, help="randomised filter settings per page")
    parser.add_argument("--rebuild", action="store_true", help="build even when the file's build is current")
    parser.add_argument("--skip", nargs="*", default=[], choices=("server", "peer", "browser"))
    args = parser.parse_args(argv)

    from crm_core import db

    scale = args.scale
    db_path = ROOT / "sample_data" / f"demo_{scale}.duckdb"
    state_path = ROOT / "bench" / "cache" / f"bench_{scale}.state.sqlite"
    state_path.parent.mkdir(parents=True, exist_ok=True)
    pages = discover()
    log(f"pages: {', '.join(p.name for p in pages)}")
    results: dict[str, Any] = {
        "scale": scale,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
        "runs": args.runs,
        "goals": GOALS,
        "load_avg_start": [round(v, 1) for v in os.getloadavg()],
    }
    results["generate_s"] = round(generate(scale, args.seed, db_path), 1)
    info = build(db_path, args.rebuild)
    results["build_s"] = round(info["build_s"], 1)
    results["slowest_marts"] = {k: round(v, 1) for k, v in sorted(info["mart_s"].items(), key=lambda kv: -kv[1])[:4]}
    results["mart_s"] = {k: round(v, 2) for k, v in info["mart_s"].items()}
    results["score_s"] = score(db_path)
    con = db.connect(db_path)
    try:
        results["customers"] = int(db.scalar(con, "select count(*) from customers"))
        results["orders"] = int(db.scalar(con, "select count(*) from orders"))
    finally:
        con.close()

    if "server" not in args.skip:
        from bench.server import time_pages

        log(f"server side: {len(pages)} pages x {args.runs} settings")
        timings = time_pages(db_path, state_path, pages, args.runs, log)
        results["pages"] = {name: t.summary() for name, t in timings.items()}
    else:
        results["pages"] = {}
    if "peer" not in args.skip:
        from bench.peer import compare

        log("peer (pandas on raw tables in memory) vs ours:")
        peer = compare(db_path, log=log)
        results["peer_load_s"] = peer.pop("_load_s")["seconds"]
        results["peer"] = peer
        results["peer_ratio"] = min(r["ratio"] for r in peer.values())
    if "browser" not in args.skip:
        from bench.browser import measure
        from bench.server import prepare_segments

        prepare_segments(state_path)
        log("browser (Chromium):")
        try:
            b = measure(db_path, state_path, pages, log=log)
        except Exception as exc:  # keep the other measurements; say what failed
            results["browser_error"] = f"{type(exc).__name__}: {str(exc)[:500]}"
            log(f"  browser timings failed: {results['browser_error']}")
        else:
            results["browser"] = b
            results["rss_mb"] = b["rss_mb"]
            results["max_rerun_mb"] = round(max(r["rerun_bytes"] for r in b["pages"].values()) / 1e6, 3)
    results["load_avg_end"] = [round(v, 1) for v in os.getloadavg()]
    write_results(scale, results)
    _print_goals(results)
    return 0


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _print_goals(r: dict[str, Any]) -> None:
    checks = []
    if r.get("pages"):
        worst = max(r["pages"].items(), key=lambda kv: kv[1]["p95_ms"])
        checks.append(
            (f"warm p95 (worst: {worst[0]} {worst[1]['p95_ms']:.0f} ms)", worst[1]["p95_ms"] <= GOALS["p95_ms"])
        )
    if r.get("peer_ratio") is not None:
        checks.append((f"peer/ours (lowest {r['peer_ratio']:.1f}x)", r["peer_ratio"] >= GOALS["peer_ratio"]))
    if r.get("browser"):
        worst_b = max(p["change_vs_floor"] for p in r["browser"]["pages"].values())
        checks.append((f"browser change vs floor (worst {worst_b:.2f}x)", worst_b <= GOALS["browser_vs_floor"]))
        checks.append((f"app RSS {r['rss_mb']:.0f} MB", r["rss_mb"] <= GOALS["rss_mb"]))
        checks.append((f"largest rerun {r['max_rerun_mb']:.2f} MB", r["max_rerun_mb"] <= GOALS["rerun_mb"]))
    checks.append((f"build {r['build_s']:.1f} s", r["build_s"] <= GOALS["build_s"]))
    for text, ok in checks:
        log(f"  {'met   ' if ok else 'MISSED'} {text}")


if __name__ == "__main__":
    raise SystemExit(main())
