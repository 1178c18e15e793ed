"""One measurement in a fresh process: ``python -m benchmarks.child SPEC_JSON``.

The spec names the workload, part, implementation, scale and folders; the child writes
its phases, peak memory (``ru_maxrss``), file sizes, checks and any error as JSON to the
spec's ``out`` path. Workload ``baseline`` only imports, giving the memory floor; workload
``inputs`` writes the shared input files.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import traceback
from pathlib import Path
from typing import Any

from benchmarks.common import Context, Sizes
from benchmarks.workloads import WORKLOADS


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run what ``spec`` asks for and return the result record."""
    impl = spec["impl"]
    # Every variant imports h5py and numpy; the NIX variants also import their library.
    importlib.import_module("h5py")
    lib = None if impl == "h5py" else importlib.import_module(impl)
    sizes = Sizes(spec["scale"])
    ctx = Context(impl, sizes, Path(spec["inputs"]), Path(spec["scratch"]), lib)
    error = None
    try:
        if spec["workload"] == "inputs":
            from benchmarks.inputs import make

            make(spec["names"], sizes, ctx.inputs)
        elif spec["workload"] != "baseline":
            WORKLOADS[spec["workload"]].run(ctx, spec["part"])
    except Exception as exc:  # reported to the runner, which goes on
        error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc(file=sys.stderr)
    return {
        "phases": ctx.phases,
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "file_bytes": ctx.file_bytes,
        "check": ctx.check,
        "info": ctx.info,
        "error": error,
        "module": getattr(lib, "__file__", None),
    }


def main() -> int:
    """Entry point of the child process."""
    spec = json.loads(sys.argv[1])
    record = measure(spec)
    Path(spec["out"]).write_text(json.dumps(record))
    return 1 if record["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
