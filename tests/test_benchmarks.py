"""The benchmark suite keeps running: one ``--quick`` run, and the runner's arithmetic.

No timing is asserted: the machine running the tests decides those.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.compare import compare  # noqa: E402
from benchmarks.run import summarize  # noqa: E402
from benchmarks.workloads import WORKLOADS, select  # noqa: E402

IMPLS = ["h5py", "nixkit", "nixio"]


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.exists(), proc.stderr[-3000:]
    return proc, json.loads(out.read_text())


def test_quick_run_succeeds_without_errors_or_disagreement(quick_report: Any) -> None:
    proc, report = quick_report
    problems = {
        name: (w["errors"], w["check_mismatch"])
        for name, w in report["workloads"].items()
        if w["errors"] or w["check_mismatch"]
    }
    assert problems == {}
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_quick_run_covers_all_eight_workloads_and_phases(quick_report: Any) -> None:
    _, report = quick_report
    assert [w["number"] for w in report["workloads"].values()] == list(range(1, 9))
    for name, module in WORKLOADS.items():
        expected = [phase for phases in module.PARTS.values() for phase in phases]
        assert list(report["workloads"][name]["phases"]) == expected


def test_quick_run_reports_a_ratio_for_every_phase_h5py_does(quick_report: Any) -> None:
    _, report = quick_report
    for name, w in report["workloads"].items():
        for phase, row in w["phases"].items():
            if row["median_s"]["h5py"] is None:
                continue
            for impl in ("nixkit", "nixio"):
                assert isinstance(row["ratio"][impl], float), (name, phase, impl)


def test_quick_run_reports_memory_file_sizes_and_checks(quick_report: Any) -> None:
    _, report = quick_report
    for w in report["workloads"].values():
        for part in w["parts"].values():
            assert all(part["peak_mib"][impl] is not None for impl in IMPLS)
    assert all(report["workloads"]["create"]["phases"]["create"]["file_mb"][impl] for impl in IMPLS)
    runs = [r for r in report["runs"] if r["workload"] == "iterate"]
    assert len(runs) == 3 and all(r["check"]["count"] == runs[0]["check"]["count"] > 0 for r in runs)


def test_quick_run_writes_a_markdown_table(quick_report: Any) -> None:
    _, report = quick_report
    assert report["meta"]["reps"] == 1 and report["meta"]["scale"] == 0.001
    proc, _ = quick_report
    assert "| 5 | tagged | tagged |" in proc.stdout


def _record(rep: int, impl: str, seconds: float) -> dict[str, Any]:
    return {
        "workload": "create",
        "part": "create",
        "impl": impl,
        "rep": rep,
        "phases": {"create": seconds},
        "maxrss_kib": 2048,
        "file_bytes": {},
        "check": {},
        "info": {},
        "error": None,
    }


def test_ratios_are_taken_within_each_repetition() -> None:
    """Rep 1: 1 s vs 2 s, rep 2: 10 s vs 10 s, rep 3: 4 s vs 6 s: the per-rep ratios are
    2, 1 and 1.5 (median 1.5), while the ratio of medians would be 6/4."""
    records = [
        _record(rep, impl, t)
        for rep, pair in enumerate([(1, 2), (10, 10), (4, 6)])
        for impl, t in zip(("h5py", "nixkit"), pair, strict=True)
    ]
    records += [{**_record(0, impl, 0), "workload": "baseline", "part": ""} for impl in ("h5py", "nixkit")]
    summary = summarize(records, [WORKLOADS["create"]], ["h5py", "nixkit"])
    row = summary["workloads"]["create"]["phases"]["create"]
    assert row["ratio"]["nixkit"] == 1.5
    assert row["median_s"] == {"h5py": 4, "nixkit": 6}


def test_workloads_are_selected_by_number_or_name() -> None:
    assert [m.NAME for m in select(["5", "create", "tagged"])] == ["create", "tagged"]
    assert len(select(None)) == 8
    with pytest.raises(SystemExit, match="unknown workload"):
        select(["nine"])


def test_compare_lists_every_phase_of_two_reports(quick_report: Any) -> None:
    _, report = quick_report
    text = compare(report, report)
    rows = [line for line in text.splitlines()[2:] if line.startswith("| ")]
    assert len(rows) == sum(len(w["phases"]) for w in report["workloads"].values())
    assert rows[0].startswith("| 1 | create | create |")
