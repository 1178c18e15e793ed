"""Compare two result files: ``python -m benchmarks.compare BEFORE.json AFTER.json``.

Prints a markdown table of the nixkit and nixio medians and ratios to raw h5py in both
runs, phase by phase, plus peak memory and file sizes of nixkit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _fmt(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.3g}{suffix}"


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The markdown table for two reports of ``python -m benchmarks``."""
    head = [
        "#",
        "workload",
        "phase",
        "h5py s (before/after)",
        "nixkit s (before/after)",
        "nixkit/h5py before",
        "nixkit/h5py after",
        "nixio/h5py (after run)",
        "nixkit peak MiB (before/after)",
        "nixkit file MB (before/after)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, w in after["workloads"].items():
        old = before["workloads"].get(name, {"phases": {}, "parts": {}})
        for phase, row in w["phases"].items():
            prev = old["phases"].get(phase)
            part = row["part"]
            peak_new = w["parts"][part]["peak_mib"].get("nixkit")
            peak_old = old["parts"].get(part, {}).get("peak_mib", {}).get("nixkit")
            cells = [
                str(w["number"]),
                name,
                phase,
                f"{_fmt(prev and prev['median_s']['h5py'])} / {_fmt(row['median_s']['h5py'])}",
                f"{_fmt(prev and prev['median_s']['nixkit'])} / {_fmt(row['median_s']['nixkit'])}",
                _fmt(prev and prev["ratio"].get("nixkit"), "x"),
                _fmt(row["ratio"].get("nixkit"), "x"),
                _fmt(row["ratio"].get("nixio"), "x"),
                f"{_fmt(peak_old)} / {_fmt(peak_new)}",
                f"{_fmt(prev and prev['file_mb']['nixkit'])} / {_fmt(row['file_mb']['nixkit'])}"
                if row["file_mb"].get("nixkit")
                else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    before, after = (json.loads(Path(a).read_text()) for a in args)
    print(compare(before, after), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
