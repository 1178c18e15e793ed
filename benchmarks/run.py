"""Run the benchmark suite: ``python -m benchmarks [options]`` from the repository root.

Protocol
--------
* The shared input files of the reading workloads are written once per run with plain
  h5py in the NIX layout, so all implementations read the same bytes.
* Every (repetition, workload part, implementation) runs in a fresh child process; the
  implementations are interleaved and their order rotates, so drift of the machine hits
  them alike.
* A time is the median over repetitions; a ratio is the median of the per-repetition
  ratios to raw h5py (taken within the same repetition).
* Peak memory is the child's ``ru_maxrss`` minus that of a child which only imports the
  same modules (the median of those baselines).
* Every child also reports checks (counts, sums of what it read); the runner compares
  them across implementations, so a fast wrong answer cannot pass unnoticed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.common import IMPLS
from benchmarks.workloads import WORKLOADS, select

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUICK_SCALE = 0.001

# Ratio targets of issue 5 (nixkit / h5py); tagged_each is an absolute limit in seconds.
DEFAULT_TARGET = 1.5
TARGETS: dict[tuple[str, str], float] = {("big_array", "read_full"): 1.1}
ABSOLUTE_TARGETS: dict[tuple[str, str], float] = {("tagged", "tagged_each"): 1.0}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    names = ", ".join(f"{m.NUMBER}={m.NAME}" for m in WORKLOADS.values())
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("-w", "--workload", action="append", help=f"run only these (repeatable): {names}")
    p.add_argument("--impl", nargs="+", choices=IMPLS, default=list(IMPLS), help="implementations to run")
    p.add_argument("--scale", type=float, help="size factor (1.0: the issue's sizes; default 1, or 0.001 with --quick)")
    p.add_argument("--reps", type=int, help="repetitions (default 3, or 1 with --quick)")
    p.add_argument("--quick", action="store_true", help="tiny sizes, one repetition: checks that everything runs")
    p.add_argument("--out", type=Path, help="JSON result path (a .md table is written beside it)")
    p.add_argument("--label", default="run", help="name prefix of the result files in benchmarks/results")
    p.add_argument("--workdir", type=Path, help="folder for input and scratch files (default: a new temp folder)")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds before a child is stopped")
    p.add_argument(
        "--nixkit-src",
        type=Path,
        help="measure the nixkit package found in this folder (e.g. a checkout of an older commit's src/)",
    )
    args = p.parse_args(argv)
    if args.scale is None:
        args.scale = QUICK_SCALE if args.quick else 1.0
    if args.reps is None:
        args.reps = 1 if args.quick else 3
    if args.scale <= 0 or args.reps < 1:
        p.error("--scale must be positive and --reps at least 1")
    return args


class Runner:
    """Starts the children and keeps their records."""

    def __init__(self, workdir: Path, scale: float, timeout: float, nixkit_src: Path | None = None) -> None:
        self.workdir = workdir
        self.inputs = workdir / "inputs"
        self.inputs.mkdir(parents=True, exist_ok=True)
        self.scale = scale
        self.timeout = timeout
        self.path = [str(ROOT)] if nixkit_src is None else [str(nixkit_src.resolve()), str(ROOT)]
        self.records: list[dict[str, Any]] = []
        self._count = 0

    def child(self, workload: str, part: str, impl: str, **extra: Any) -> dict[str, Any]:
        """Run one child process and return its record."""
        self._count += 1
        scratch = self.workdir / f"scratch-{self._count}"
        scratch.mkdir()
        out = self.workdir / f"result-{self._count}.json"
        spec = {
            "workload": workload,
            "part": part,
            "impl": impl,
            "scale": self.scale,
            "inputs": str(self.inputs),
            "scratch": str(scratch),
            "out": str(out),
            **extra,
        }
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [*self.path, env.get("PYTHONPATH")]))
        started = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "benchmarks.child", json.dumps(spec)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                timeout=self.timeout,
            )
            stderr = proc.stderr
        except subprocess.TimeoutExpired:
            stderr = f"TimeoutExpired: stopped after {self.timeout:.0f} s"
        if out.exists():
            record = json.loads(out.read_text())
            out.unlink()
        else:
            lines = stderr.strip().splitlines()
            record = {
                "phases": {},
                "maxrss_kib": None,
                "file_bytes": {},
                "check": {},
                "info": {},
                "error": lines[-1] if lines else "child died without a word",
            }
        shutil.rmtree(scratch, ignore_errors=True)
        record.update(workload=workload, part=part, impl=impl, wall_s=time.perf_counter() - started)
        return record


def rotated(items: list[str], k: int) -> list[str]:
    """``items`` rotated left by ``k``."""
    k %= len(items)
    return items[k:] + items[:k]


def execute(args: argparse.Namespace, workloads: list[ModuleType], workdir: Path) -> list[dict[str, Any]]:
    """Prepare the inputs, then run every repetition; returns all child records."""
    runner = Runner(workdir, args.scale, args.timeout, args.nixkit_src)
    needed = sorted({name for m in workloads for name in getattr(m, "INPUTS", ())})
    if needed:
        _log(f"writing inputs {', '.join(needed)} (scale {args.scale:g})")
        rec = runner.child("inputs", "", "h5py", names=needed)
        if rec["error"]:
            raise SystemExit(f"could not write the inputs: {rec['error']}")
    records = []
    turn = 0
    for rep in range(args.reps):
        for impl in rotated(args.impl, rep):
            rec = runner.child("baseline", "", impl)
            rec["rep"] = rep
            records.append(rec)
        for m in workloads:
            for part in m.PARTS:
                for impl in rotated(args.impl, rep + turn):
                    rec = runner.child(m.NAME, part, impl)
                    rec["rep"] = rep
                    records.append(rec)
                    times = ", ".join(f"{k} {v:.3g} s" for k, v in rec["phases"].items())
                    status = f"ERROR {rec['error']}" if rec["error"] else times
                    _log(f"[rep {rep + 1}/{args.reps}] {m.NUMBER} {m.NAME}/{part} {impl}: {status}")
                turn += 1
    return records


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarize(records: list[dict[str, Any]], workloads: list[ModuleType], impls: list[str]) -> dict[str, Any]:
    """Medians, per-repetition ratios, peak memory, file sizes and check agreement."""
    base = {
        impl: _median(
            [
                r["maxrss_kib"]
                for r in records
                if r["workload"] == "baseline" and r["impl"] == impl and r["maxrss_kib"] is not None
            ]
        )
        for impl in impls
    }
    out: dict[str, Any] = {"baseline_mib": {k: v / 1024 if v else None for k, v in base.items()}, "workloads": {}}
    for m in workloads:
        mine = [r for r in records if r["workload"] == m.NAME]
        entry: dict[str, Any] = {
            "number": m.NUMBER,
            "title": m.TITLE,
            "phases": {},
            "parts": {},
            "errors": {},
            "check_mismatch": [],
            "info": {},
        }
        for part, phases in m.PARTS.items():
            recs = [r for r in mine if r["part"] == part]
            peak = {}
            for impl in impls:
                floor = base[impl]
                rss = [
                    r["maxrss_kib"] - floor
                    for r in recs
                    if r["impl"] == impl and r["maxrss_kib"] is not None and floor is not None
                ]
                peak[impl] = statistics.median(rss) / 1024 if rss else None
            entry["parts"][part] = {"peak_mib": peak}
            for r in recs:
                if r["error"]:
                    entry["errors"].setdefault(r["impl"], r["error"])
                if r["info"]:
                    entry["info"].setdefault(r["impl"], r["info"])
            entry["check_mismatch"] += _mismatches(recs, part)
            for phase in phases:
                entry["phases"][phase] = _phase_summary(recs, phase, part, impls)
        out["workloads"][m.NAME] = entry
    return out


def _phase_summary(recs: list[dict[str, Any]], phase: str, part: str, impls: list[str]) -> dict[str, Any]:
    times: dict[str, list[float]] = {impl: [] for impl in impls}
    sizes: dict[str, list[int]] = {impl: [] for impl in impls}
    by_rep: dict[int, dict[str, float]] = {}
    for r in recs:
        if phase in r["phases"]:
            times[r["impl"]].append(r["phases"][phase])
            by_rep.setdefault(r["rep"], {})[r["impl"]] = r["phases"][phase]
        if phase in r["file_bytes"]:
            sizes[r["impl"]].append(r["file_bytes"][phase])
    ratios: dict[str, float | None] = {}
    for impl in impls:
        if impl == "h5py":
            continue
        per_rep = [t[impl] / t["h5py"] for t in by_rep.values() if impl in t and t.get("h5py")]
        ratios[impl] = _median(per_rep)
    return {
        "part": part,
        "median_s": {impl: _median(v) for impl, v in times.items()},
        "times_s": times,
        "ratio": ratios,
        "file_mb": {impl: (statistics.median(v) / 1e6 if v else None) for impl, v in sizes.items()},
    }


def _mismatches(recs: list[dict[str, Any]], part: str) -> list[str]:
    found = []
    for rep in sorted({r["rep"] for r in recs}):
        checks = {r["impl"]: r["check"] for r in recs if r["rep"] == rep and not r["error"] and r["check"]}
        if len(set(json.dumps(c, sort_keys=True) for c in checks.values())) > 1:
            found.append(f"{part}, rep {rep + 1}: " + "; ".join(f"{k} {v}" for k, v in checks.items()))
    return found


# -- output ---------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _target(workload: str, phase: str, row: dict[str, Any]) -> str:
    limit = ABSOLUTE_TARGETS.get((workload, phase))
    if limit is not None:
        t = row["median_s"].get("nixkit")
        verdict = "" if t is None else (" ok" if t <= limit else " MISS")
        return f"≤ {limit:g} s{verdict}"
    goal = TARGETS.get((workload, phase), DEFAULT_TARGET)
    r = row["ratio"].get("nixkit")
    verdict = "" if r is None else (" ok" if r <= goal else " MISS")
    return f"≤ {goal:g}x{verdict}"


def table(summary: dict[str, Any], impls: list[str]) -> str:
    """The results as a markdown table, with errors and check mismatches below it."""
    others = [i for i in impls if i != "h5py"]
    head = [
        "#",
        "workload",
        "phase",
        *[f"{i} s" for i in impls],
        *[f"{i}/h5py" for i in others],
        "target (nixkit)",
        "peak MiB " + "/".join(impls),
        "file MB " + "/".join(impls),
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes: list[str] = []
    for name, w in summary["workloads"].items():
        shown_parts: set[str] = set()
        for phase, row in w["phases"].items():
            part = row["part"]
            peak = ""
            if part not in shown_parts:
                shown_parts.add(part)
                peak = " / ".join(_fmt(w["parts"][part]["peak_mib"][i], 3) for i in impls)
            sizes = row["file_mb"]
            size = " / ".join(_fmt(sizes[i], 3) for i in impls) if any(sizes.values()) else ""
            cells = [
                str(w["number"]),
                name,
                phase,
                *[_fmt(row["median_s"][i]) for i in impls],
                *[_fmt(row["ratio"][i]) + ("x" if row["ratio"][i] is not None else "") for i in others],
                _target(name, phase, row),
                peak,
                size,
            ]
            lines.append("| " + " | ".join(cells) + " |")
        for impl, err in w["errors"].items():
            notes.append(f"- {w['number']} {name}: {impl} failed: {err}")
        for mismatch in w["check_mismatch"]:
            notes.append(f"- {w['number']} {name}: results differ: {mismatch}")
        for impl, info in w["info"].items():
            notes.append(f"- {w['number']} {name}: {impl} {json.dumps(info)}")
    base = ", ".join(f"{k} {_fmt(v, 3)}" for k, v in summary["baseline_mib"].items())
    notes.append(f"- baseline (imports only) peak MiB: {base}")
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


def metadata(args: argparse.Namespace, seconds: float) -> dict[str, Any]:
    """What ran where."""
    import h5py
    import numpy

    meta: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "scale": args.scale,
        "reps": args.reps,
        "impls": args.impl,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "h5py": h5py.__version__,
        "hdf5": h5py.version.hdf5_version,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "total_s": round(seconds, 1),
        "nixkit_src": str(args.nixkit_src) if args.nixkit_src else "installed",
    }
    # The commit measured: of the checkout given with --nixkit-src, else of this repository.
    where = args.nixkit_src if args.nixkit_src else ROOT
    try:
        meta["nixkit_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        meta["nixkit_commit"] = None
    return meta


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the suite; returns the process exit code (1 if a child failed or checks differ)."""
    args = parse_args(argv)
    workloads = select(args.workload)
    if "h5py" not in args.impl:
        _log("note: without h5py there is no reference, so no ratios")
    started = time.perf_counter()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="nixkit-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        records = execute(args, workloads, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    summary = summarize(records, workloads, args.impl)
    report = {"meta": metadata(args, time.perf_counter() - started), **summary, "runs": records}
    out = args.out
    if out is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = RESULTS / f"{args.label}-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    text = table(summary, args.impl)
    head = f"scale {args.scale:g}, {args.reps} repetition(s), {report['meta']['machine']}\n\n"
    out.with_suffix(".md").write_text(head + text)
    print(head + text)
    _log(f"results: {out} and {out.with_suffix('.md')}")
    failed = any(w["errors"] or w["check_mismatch"] for w in summary["workloads"].values())
    return 1 if failed else 0
