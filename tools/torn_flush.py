"""Enumerate every crash point of a writer's last round of changes and its flush.

Usage::

    python tools/torn_flush.py [--scenarios append,create,...] [--no-partial] [--keep DIR]

HDF5 writes a flush as many ``pwrite`` calls (raw data chunks, then metadata cache entries
in place, the superblock last), so a writer killed inside a flush can leave a torn file.
This tool builds ``tools/torn_flush/shim.c`` (an ``LD_PRELOAD`` library that makes the
n-th write to a ``.nix``/``.h5`` file call ``_exit(137)``, before writing or, for a write
across a page boundary, after the part before it: all a kill can leave of a write) and,
for each scenario, runs one worker process under it. The worker builds a file
(blocks, sampled data arrays, tags referencing them, a metadata section with properties,
several flushed rounds), then for n = 1, 2, ... forks a writer that reopens a copy of it,
makes one flushed round, records every array's checksum, arms the shim and makes one more
round of changes (appends, creates, deletes, property changes) ending in ``File.flush()``.
The first dry run (not armed to kill) counts the writes W of that round.

After each kill the file is checked like a user would: open read-only and read every
flushed prefix; reopen read-write, append and flush (what the next writer does); and,
when anything failed, :func:`nixkit.recover` and check the rescued file. Each crash point
is classified, and a table plus the error texts (grouped) is printed. ``PYTHONPATH``
decides which nixkit is measured (e.g. a worktree with a proposed fix).
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

SHIM_SOURCE = Path(__file__).resolve().parent / "torn_flush" / "shim.c"
SCENARIOS = ("append", "create", "delete", "props", "mixed")
CLASSES = (
    "intact",
    "opens, flushed data wrong",
    "read error",
    "write error on reopen",
    "open fails, recover rescues all",
    "lost even after recover",
)
# Structures named by the 4-byte signature their write starts with (HDF5 file format spec).
SIGNATURES = {
    ".HDF": "superblock",
    "OHDR": "object header (v2)",
    "OCHK": "object header continuation (v2)",
    "BTHD": "v2 B-tree header",
    "BTIN": "v2 B-tree internal node",
    "BTLF": "v2 B-tree leaf (link name/order index)",
    "FRHP": "fractal heap header",
    "FHDB": "fractal heap direct block (dense links)",
    "FHIB": "fractal heap indirect block",
    "FSHD": "free-space manager header",
    "FSSE": "free-space section list",
    "GCOL": "global heap (variable-length data)",
    "TREE": "v1 B-tree node (chunk index)",
    "HEAP": "local heap",
    "SNOD": "symbol table node",
}


def build_shim(directory: Path) -> Path:
    """Compile ``shim.c`` into ``directory`` and return the path of the shared library."""
    target = directory / "shim.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O2", "-o", str(target), str(SHIM_SOURCE), "-ldl"],
        check=True,
    )
    return target


def structure_of(signature: str, offset: int) -> str:
    """Name the structure a write of the torn round went to, from its first bytes."""
    if signature in SIGNATURES:
        return SIGNATURES[signature]
    if offset == 0:
        return "superblock"
    return "raw data or old-style header"


# --- the workload ------------------------------------------------------------------------


def _digest(values: Any) -> str:
    return hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()


def _new_array(block: Any, name: str, rng: np.random.Generator, tagged: bool) -> Any:
    dtype = [np.float64, np.int16, np.float32][int(rng.integers(3))]
    values = (rng.standard_normal(int(rng.integers(1, 500))) * 100).astype(dtype)
    da = block.create_data_array(name, "signal", data=values)
    da.append_sampled_dimension(0.001, unit="s", label="time")
    da.unit = "mV"
    if tagged:
        tag = block.create_tag(f"tag-{name}", "event", [0.0])
        tag.references.append(da)
    return da


def _append(da: Any, n: int, rng: np.random.Generator) -> None:
    da.append((rng.standard_normal(n) * 100).astype(da.dtype))


def build(path: str, seed: int) -> None:
    """Write the starting file: two blocks (one with compact, one with dense link storage),
    tagged sampled arrays, a section tree with properties, several flushed rounds."""
    import nixkit as nix

    rng = np.random.default_rng(seed)
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        small = f.create_block("rec", "session")
        big = f.create_block("big", "session")
        sec = f.create_section("settings", "recording")
        for i in range(6):
            sub = sec.create_section(f"amp{i}", "amplifier")
            sub["gain"] = float(i)
            sub["channels"] = [1, 2, 3, i]
            sub["label"] = f"amp {i}"
        small.metadata = sec
        for rnd in range(4):
            for i in range(3):
                _new_array(small, f"r{rnd}-{i}", rng, tagged=i == 0)
            for i in range(8):
                _new_array(big, f"b{rnd}-{i}", rng, tagged=i % 3 == 0)
            for da in list(small.data_arrays)[:4] + list(big.data_arrays)[:4]:
                _append(da, int(rng.integers(1, 3000)), rng)
            f.flush()


def expected_state(f: Any) -> dict[str, Any]:
    """Checksums of every array and the values of every property, as flushed now."""
    arrays = {}
    for block in f.blocks:
        for da in block.data_arrays:
            arrays[f"{block.name}/{da.name}"] = [len(da), _digest(da[:])]
    props = {}
    for sec in f.find_sections():
        for prop in sec.props:
            props[f"{sec.name}/{prop.name}"] = json.dumps(list(prop.values), default=str)
    return {"arrays": arrays, "props": props}


def reopen_round(f: Any, rng: np.random.Generator) -> None:
    """The flushed round a new writer makes before the round that is torn."""
    for block in f.blocks:
        for da in list(block.data_arrays)[-2:]:
            _append(da, int(rng.integers(1, 2000)), rng)
    f.flush()


def plan_round(f: Any, scenario: str) -> dict[str, list[str]]:
    """The arrays (``block/name``) and properties (``section/name``) the torn round of
    ``scenario`` deletes or changes: after a kill either their old or their new state is right."""
    changed: dict[str, list[str]] = {"arrays": [], "props": []}
    if scenario in ("delete", "mixed"):
        for block in f.blocks:
            changed["arrays"] += [f"{block.name}/{da.name}" for da in list(block.data_arrays)[1:4]]
        changed["props"].append("amp1/label")
    if scenario in ("props", "mixed"):
        changed["props"] += [f"amp{i}/{name}" for i in (0, 2, 3) for name in ("gain", "channels")]
    return changed


def torn_round(f: Any, scenario: str, changed: dict[str, list[str]], rng: np.random.Generator) -> None:
    """The changes of the torn round (``changed`` is its :func:`plan_round`)."""
    small, big = f.blocks["rec"], f.blocks["big"]
    if scenario in ("append", "mixed"):
        for block in (small, big):
            arrays = list(block.data_arrays)
            for i in rng.choice(len(arrays), size=3, replace=False):
                _append(arrays[int(i)], int(rng.integers(1, 3000)), rng)
        # A long append to a small array: the dataset is re-chunked (re-created).
        _append(small.data_arrays[0], 60000, rng)
    if scenario in ("create", "mixed"):
        for i in range(5):  # the 'rec' block's data_arrays group goes from compact to dense
            _new_array(small, f"new{i}", rng, tagged=i % 2 == 0)
        for i in range(3):
            _new_array(big, f"newb{i}", rng, tagged=i == 0)
        sec = f.create_section("added", "notes")
        for i in range(20):  # 20 properties: a dense 'properties' group
            sec[f"p{i}"] = i * 1.5
    if scenario in ("delete", "mixed"):
        for key in changed["arrays"]:
            block_name, name = key.split("/", 1)
            del f.blocks[block_name].data_arrays[name]
        for block in (small, big):
            tags = [t.name for t in block.tags]
            if tags:
                del block.tags[tags[0]]
        del f.sections["settings"].sections["amp1"].props["label"]
    if scenario in ("props", "mixed"):
        sec = f.sections["settings"]
        for i in (0, 2, 3):
            amp = sec.sections[f"amp{i}"]
            amp["gain"] = float(rng.standard_normal())
            amp["channels"] = list(range(int(rng.integers(1, 40))))
            amp[f"extra{i}"] = "x" * int(rng.integers(1, 200))
        for da in list(big.data_arrays)[:5]:
            da.unit = "uV"
            da.label = "voltage"


# --- the checks ---------------------------------------------------------------------------


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text.replace("\n", " ")[:400]


def check_file(path: str, expected: dict[str, Any], changed: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """Open ``path`` read-only and compare with ``expected``.

    Returns
    -------
    (str or None, str or None)
        ``(stage, error)``: None, None when all flushed data reads back right; stage is
        ``"open"``, ``"read"`` or ``"wrong"``.
    """
    import nixkit as nix

    try:
        f = nix.File.open(path, nix.FileMode.ReadOnly)
    except Exception as exc:
        return "open", _short(exc)
    try:
        with f:
            for key, (n, sha) in expected["arrays"].items():
                block_name, name = key.split("/", 1)
                try:
                    da = f.blocks[block_name].data_arrays.get(name)
                    if da is None:
                        if key in changed["arrays"]:
                            continue
                        return "wrong", f"array {key} missing"
                    if len(da) < n:
                        return "wrong", f"array {key} shorter than flushed"
                    if _digest(da[:n]) != sha:
                        return "wrong", f"array {key}: flushed prefix differs"
                except Exception as exc:
                    return "read", f"{key}: {_short(exc)}"
            props = {}
            for sec in f.find_sections():
                for prop in sec.props:
                    props[f"{sec.name}/{prop.name}"] = json.dumps(list(prop.values), default=str)
            for key, value in expected["props"].items():
                if key in changed["props"]:
                    continue
                if props.get(key) != value:
                    return "wrong", f"property {key} missing or different"
    except Exception as exc:
        return "read", _short(exc)
    return None, None


def copy_state(path: str, copy: str) -> None:
    """Copy ``path`` as the next writer would find it: with any undo journal a killed writer
    left applied (a journal cannot follow a copy, which is another file)."""
    from nixkit.storage.journal import rollback

    shutil.copyfile(path, copy)
    rollback(copy, original=path)


def next_writer(path: str, expected: dict[str, Any], changed: dict[str, list[str]]) -> str | None:
    """Reopen a copy of ``path`` read-write, append to a flushed array and flush, as the next
    writer does; then check again. Returns an error text or None."""
    import nixkit as nix

    copy = path + ".next.nix"
    copy_state(path, copy)
    try:
        with nix.File.open(copy, nix.FileMode.ReadWrite) as f:
            key = next(k for k in expected["arrays"] if k not in changed["arrays"])
            block_name, name = key.split("/", 1)
            da = f.blocks[block_name].data_arrays[name]
            da.append(np.ones(4000, dtype=da.dtype))
            _new_array(f.blocks[block_name], "after-crash", np.random.default_rng(0), tagged=True)
            f.flush()
    except Exception as exc:
        return _short(exc)
    stage, error = check_file(copy, expected, changed)
    if stage is not None:
        return f"after reopen+append: {stage}: {error}"
    return None


def classify(path: str, expected: dict[str, Any], changed: dict[str, list[str]]) -> tuple[str, str | None]:
    """Class of the crashed file ``path`` (one of :data:`CLASSES`) and the first error text."""
    from nixkit.recover import recover

    stage, error = check_file(path, expected, changed)
    if stage is None:
        error = next_writer(path, expected, changed)
        if error is None:
            return "intact", None
        cls = "write error on reopen"
    elif stage == "wrong":
        cls = "opens, flushed data wrong"
    elif stage == "read":
        cls = "read error"
    else:
        cls = "open fails"
    try:
        rescued = recover(path, path + ".rescued.nix")
        stage2, error2 = check_file(rescued.target, expected, changed)
    except Exception as exc:
        stage2, error2 = "recover", _short(exc)
    if cls == "open fails":
        cls = "open fails, recover rescues all" if stage2 is None else "lost even after recover"
    elif stage2 is not None:
        cls = "lost even after recover"
    suffix = "" if stage2 is None else f" | after recover: {stage2}: {error2}"
    return cls, f"{error}{suffix}"


# --- the worker (runs under LD_PRELOAD) ----------------------------------------------------


def run_writer(base: str, crash: str, shim: Any, scenario: str, seed: int, n: int, partial: bool, log: str) -> int:
    """Fork a writer that reopens a copy of ``base`` as ``crash`` and dies at write ``n``;
    the writer leaves its flushed state in ``crash + ".state.json"``. Returns its exit status."""
    from nixkit.storage.journal import journal_path

    if os.path.exists(journal_path(crash)):
        os.unlink(journal_path(crash))  # the previous point's: it belongs to another file state
    shutil.copyfile(base, crash)
    pid = os.fork()
    if pid == 0:  # the writer
        status = 1
        try:
            import nixkit as nix

            rng = np.random.default_rng(seed + 1)
            f = nix.File.open(crash, nix.FileMode.ReadWrite)
            reopen_round(f, rng)
            # The changes are planned before arming, so the checker knows the deletes.
            info: dict[str, Any] = {"expected": expected_state(f), "changed": plan_round(f, scenario)}
            Path(crash + ".state.json").write_text(json.dumps(info))
            shim.torn_log(log.encode() if log else None)
            shim.torn_arm(n, int(partial))
            torn_round(f, scenario, info["changed"], rng)
            info["flush_starts_at"] = shim.torn_count() + 1
            f.flush()
            info["writes"] = shim.torn_count()
            f.close()
            info["writes_with_close"] = shim.torn_count()
            Path(crash + ".json").write_text(json.dumps(info))
            status = 0
        except BaseException as exc:  # report any failure of the writer itself
            sys.stderr.write(f"writer failed: {_short(exc)}\n")
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _read_log(log: str) -> list[tuple[int, int, str]]:
    entries = []
    for line in Path(log).read_text().splitlines():
        _, offset, size, sig = line.split()
        entries.append((int(offset), int(size), sig))
    return entries


def worker(scenario: str, shim_path: str, seed: int, partial: bool, keep: str | None, limit: int) -> None:
    """Enumerate the crash points of ``scenario``; print one JSON line per crash point."""
    shim = ctypes.CDLL(shim_path)
    shim.torn_count.restype = ctypes.c_long
    shim.torn_arm.argtypes = [ctypes.c_long, ctypes.c_int]
    shim.torn_log.argtypes = [ctypes.c_char_p]
    work = Path(tempfile.mkdtemp(prefix=f"torn-{scenario}-"))
    try:
        base = str(work / "base.nix")
        build(base, seed)
        crash = str(work / "crash.nix")
        logs = []
        for attempt in range(2):  # two dry runs: the writes must be the same every time
            log = str(work / f"dry{attempt}.log")
            status = run_writer(base, crash, shim, scenario, seed, 0, False, log)
            if status != 0:
                raise SystemExit(f"dry run of {scenario} failed with status {status}")
            logs.append(_read_log(log))
        info = json.loads(Path(crash + ".json").read_text())
        dry = logs[0]
        same = [(o, s) for o, s, _ in logs[0]] == [(o, s) for o, s, _ in logs[1]]
        print(
            json.dumps(
                {
                    "dry": scenario,
                    "writes": info["writes"],
                    "flush_starts_at": info["flush_starts_at"],
                    "close_writes": info["writes_with_close"] - info["writes"],
                    "deterministic": same,
                    "superblock_writes": sum(1 for o, _, _ in dry[: info["writes"]] if o == 0),
                    "signatures": Counter(
                        structure_of(sig, o) for o, _, sig in dry[info["flush_starts_at"] - 1 : info["writes"]]
                    ),
                }
            ),
            flush=True,
        )
        writes = min(info["writes"], limit) if limit else info["writes"]
        for n in range(1, writes + 1):
            for torn in (False, True) if partial else (False,):
                start = time.perf_counter()
                for leftover in work.glob("crash.nix*"):
                    leftover.unlink()
                status = run_writer(base, crash, shim, scenario, seed, n, torn, "")
                offset, size, sig = dry[n - 1]
                point = {
                    "scenario": scenario,
                    "n": n,
                    "partial": torn,
                    "phase": "flush" if n >= info["flush_starts_at"] else "round",
                    "offset": offset,
                    "size": size,
                    "structure": structure_of(sig, offset),
                }
                if status != 137:
                    point.update(cls="writer did not die", error=f"status {status}")
                else:
                    state = json.loads(Path(crash + ".state.json").read_text())
                    cls, error = classify(crash, state["expected"], state["changed"])
                    point.update(cls=cls, error=error)
                    if cls != "intact" and keep:
                        name = f"{scenario}-{n}{'-half' if torn else ''}.nix"
                        Path(keep).mkdir(parents=True, exist_ok=True)
                        copy_state(crash, str(Path(keep) / name))
                point["seconds"] = round(time.perf_counter() - start, 3)
                print(json.dumps(point), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the report ----------------------------------------------------------------------------


def _group_error(text: str) -> str:
    """An error text with names, addresses and numbers blanked, to group alike errors."""
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\b0x[0-9a-f]+\b|\b\d+\b", "#", text)
    return text[:220]


def report(points: list[dict[str, Any]], dries: list[dict[str, Any]]) -> None:
    """Print the dry runs, the table of classes per scenario and the grouped error texts."""
    print("\nDry runs (writes of the armed round; the flush part starts at the given write)")
    for d in dries:
        flush_writes = d["writes"] - d["flush_starts_at"] + 1
        print(
            f"  {d['dry']:8s} writes={d['writes']:4d} flush={flush_writes:3d} (from #{d['flush_starts_at']})"
            f" flushes (superblock writes)={d['superblock_writes']} close adds {d['close_writes']}"
            f" deterministic={d['deterministic']}"
        )
        print("           flush writes by structure: " + ", ".join(f"{k} {v}" for k, v in d["signatures"].items()))
    print()
    header = f"{'scenario':10s}{'kill':6s}" + "".join(f"{c[:22]:>24s}" for c in CLASSES) + f"{'other':>8s}"
    print(header)
    kinds = sorted({(p["scenario"], p["partial"]) for p in points}, key=lambda k: (SCENARIOS.index(k[0]), k[1]))
    totals: Counter[str] = Counter()
    for scenario, partial in kinds:
        row = Counter(p["cls"] for p in points if p["scenario"] == scenario and p["partial"] == partial)
        totals.update(row)
        other = sum(v for k, v in row.items() if k not in CLASSES)
        kill = "half" if partial else "skip"
        print(f"{scenario:10s}{kill:6s}" + "".join(f"{row[c]:>24d}" for c in CLASSES) + f"{other:>8d}")
    other = sum(v for k, v in totals.items() if k not in CLASSES)
    print(f"{'total':16s}" + "".join(f"{totals[c]:>24d}" for c in CLASSES) + f"{other:>8d}")
    bad = [p for p in points if p["cls"] != "intact"]
    print(f"\n{len(bad)} of {len(points)} crash points damage the file")
    by_structure: Counter[tuple[str, str]] = Counter((p["structure"], p["phase"]) for p in bad)
    if bad:
        print("\nDamaging crash points by the structure whose write was cut (phase):")
        for (structure, phase), count in by_structure.most_common():
            print(f"  {count:4d}  {structure} ({phase})")
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in bad:
            groups[f"{p['cls']}: {_group_error(p['error'] or '')}"].append(p)
        print("\nError texts, grouped:")
        for text, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            where = ", ".join(f"{p['scenario']}#{p['n']}{'h' if p['partial'] else ''}" for p in members[:8])
            more = f" +{len(members) - 8}" if len(members) > 8 else ""
            print(f"  {len(members):4d}  {text}\n        at {where}{more}")
            print(f"        e.g. {members[0]['error']}")


def main() -> None:
    """Build the shim, run one worker per scenario under it, print the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, of " + ", ".join(SCENARIOS))
    parser.add_argument("--seed", type=int, default=1, help="seed of the workload")
    parser.add_argument("--no-partial", action="store_true", help="only kill before a write, never inside one")
    parser.add_argument("--limit", type=int, default=0, help="enumerate at most this many writes per scenario")
    parser.add_argument("--keep", default=None, help="folder for copies of the damaged files")
    parser.add_argument("--json", default=None, help="also write every crash point to this JSON file")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--shim", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.shim, args.seed, not args.no_partial, args.keep, args.limit)
        return
    points: list[dict[str, Any]] = []
    dries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="torn-shim-") as tmp:
        shim = build_shim(Path(tmp))
        env = dict(os.environ, LD_PRELOAD=str(shim))
        for scenario in args.scenarios.split(","):
            if scenario not in SCENARIOS:
                parser.error(f"unknown scenario {scenario!r}")
            cmd = [sys.executable, __file__, "--worker", scenario, "--shim", str(shim), "--seed", str(args.seed)]
            cmd += ["--limit", str(args.limit)] + (["--no-partial"] if args.no_partial else [])
            cmd += ["--keep", args.keep] if args.keep else []
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            for line in proc.stdout:
                record = json.loads(line)
                if "dry" in record:
                    dries.append(record)
                    print(f"{scenario}: {record['writes']} writes in the armed round", file=sys.stderr)
                else:
                    points.append(record)
                    if record["cls"] != "intact":
                        print(f"  {scenario}#{record['n']} {record['cls']}: {record['error']}", file=sys.stderr)
            if proc.wait() != 0:
                print(f"worker for {scenario} failed with status {proc.returncode}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps({"dry": dries, "points": points}, indent=1))
    report(points, dries)


if __name__ == "__main__":
    main()
