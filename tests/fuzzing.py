"""Fuzzing engine: corrupt valid NIX files in many ways, then open and walk each one.

Used by ``tests/test_fuzz.py`` (a bounded campaign with a fixed seed) and by
``tools/fuzz_long.py`` (a long campaign run by hand). A case is one corrupted copy of a
seed file. Workers are separate processes, so a segfault or a hang in HDF5 is seen as a
dead or silent worker rather than a dead test run. Each case ends in one class:

``ok``
    The file opened and every read of the walk worked.
``nixerror``
    At least one step raised a ``nixkit.exceptions.NixError`` (and nothing worse).
``bad``
    A step raised an exception outside the nixkit family (a bare KeyError, an h5py
    error ...): the failure we hunt for.
``crash`` / ``hang``
    The worker died, or made no progress within the time limit.
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# File.validate() costs as much as the rest of the walk; it runs on every few cases.
VALIDATE_EVERY = 4

MUTATIONS = (
    "bitflip",
    "truncate",
    "zero_block",
    "delete_attr",
    "garble_attr",
    "retype_attr",
    "dangling_link",
    "link_cycle",
    "wrong_dimensions",
    "version_shape",
    "delete_object",
    "swap_kind",
    "retype_dataset",
)


# -- seed files -----------------------------------------------------------------------------
def write_seed(path: Path) -> None:
    """A small file with one of everything, written by nixio (the reference writer)."""
    import nixio

    f = nixio.File.open(str(path), nixio.FileMode.Overwrite)
    try:
        b = f.create_block("session", "nix.session")
        sec = f.create_section("experiment", "nix.experiment")
        sec.create_property("temperature", 21.5).unit = "degC"
        sec.create_property("labels", ["a", "bb"])
        sub = sec.create_section("amplifier", "hardware")
        sub.create_property("gain", [1.0, 2.0])
        b.metadata = sec
        src = b.create_source("cell", "nix.cell")
        src.create_source("electrode", "nix.electrode")
        da = b.create_data_array("voltage", "nix.sampled", data=np.sin(np.arange(60.0)).reshape(20, 3))
        da.unit = "mV"
        da.label = "voltage"
        da.append_sampled_dimension(0.001, label="time", unit="s", offset=0.0)
        da.append_set_dimension(["ch0", "ch1", "ch2"])
        da.sources.append(src)
        da.metadata = sub
        times = b.create_data_array("times", "nix.events", data=np.array([0.1, 0.25, 0.3, 0.9]))
        times.append_range_dimension([0.1, 0.25, 0.3, 0.9], unit="s", label="time")
        linked = b.create_data_array("linked", "nix.events", data=np.arange(4.0))
        linked.append_range_dimension_using_self()
        calib = b.create_data_array("raw", "nix.raw", data=np.arange(5, dtype=np.int16))
        calib.polynom_coefficients = [0.0, 0.5]
        calib.expansion_origin = 1.0
        calib.append_sampled_dimension(1.0, unit="ms")
        text = b.create_data_array("text", "nix.text", data=["x", "yy", "zzz"], dtype=nixio.DataType.String)
        text.append_set_dimension()
        tag = b.create_tag("stimulus", "nix.stimulus", [0.002, 0.0])
        tag.extent = [0.005, 2.0]
        tag.units = ["s", ""]
        tag.references.append(da)
        tag.create_feature(times, nixio.LinkType.Untagged)
        pos = b.create_data_array("spike positions", "nix.positions", data=np.array([0.1, 0.25, 0.3]))
        pos.append_set_dimension()
        ext = b.create_data_array("spike extents", "nix.extents", data=np.array([0.1, 0.05, 0.5]))
        ext.append_set_dimension()
        mtag = b.create_multi_tag("spikes", "nix.spikes", pos)
        mtag.extents = ext
        mtag.units = ["s"]
        mtag.references.append(times)
        amps = b.create_data_array("amplitudes", "nix.amps", data=np.array([1.0, 2.0, 3.0]))
        amps.append_set_dimension()
        mtag.create_feature(amps, nixio.LinkType.Indexed)
        df = b.create_data_frame("table", "nix.table", col_dict={"name": str, "value": float, "n": int})
        df.append_rows([("a", 1.0, 1), ("b", 2.0, 2)])
        df.units = ["", "mV", ""]
        grp = b.create_group("trial 1", "nix.trial")
        grp.data_arrays.append(da)
        grp.tags.append(tag)
        grp.multi_tags.append(mtag)
        grp.sources.append(src)
    finally:
        f.close()


# -- mutations ----------------------------------------------------------------------------------
def _objects(h: Any) -> list[Any]:
    import h5py

    out: list[Any] = [h]
    h.visititems(lambda _n, obj: out.append(obj) if isinstance(obj, (h5py.Group, h5py.Dataset)) else None)
    return out


def _groups(h: Any) -> list[Any]:
    import h5py

    return [o for o in _objects(h) if isinstance(o, h5py.Group)]


def _with_attrs(h: Any) -> list[Any]:
    return [o for o in _objects(h) if len(o.attrs)]


def _bytes(path: Path, rng: random.Random, how: str) -> str:
    data = bytearray(path.read_bytes())
    if how == "bitflip":
        flips = rng.choice((1, 1, 2, 4, 16))
        # Half the cases aim at the first 4 KiB, where the superblock and root metadata live.
        limit = min(len(data), 4096) if rng.random() < 0.5 else len(data)
        for _ in range(flips):
            pos = rng.randrange(limit)
            data[pos] ^= 1 << rng.randrange(8)
        detail = f"{flips} bit(s) below {limit}"
    elif how == "truncate":
        cut = rng.randrange(len(data))
        del data[cut:]
        detail = f"at {cut}"
    else:
        start = rng.randrange(len(data))
        size = rng.choice((8, 64, 512))
        data[start : start + size] = bytes(len(data[start : start + size]))
        detail = f"{size} bytes at {start}"
    path.write_bytes(bytes(data))
    return detail


_GARBAGE: tuple[Callable[[random.Random], Any], ...] = (
    lambda r: "".join(chr(r.randrange(32, 0x2FF)) for _ in range(r.randrange(0, 12))),
    lambda r: r.randrange(-(10**9), 10**9),
    lambda r: r.random() * 10 ** r.randrange(-5, 5),
    lambda r: float("nan"),
    lambda r: np.zeros((2, 2)),
    lambda r: np.array([], dtype=np.float64),
    lambda r: np.array([1, 2, 3], dtype=np.int8),
    lambda r: np.bytes_(b"\xff\xfe"),
    lambda r: "",
    lambda r: np.array(["a", "b"], dtype=object),
)


def _structural(path: Path, rng: random.Random, how: str) -> str:
    import h5py

    with h5py.File(path, "r+") as h:
        if how in ("delete_attr", "garble_attr", "retype_attr"):
            obj = rng.choice(_with_attrs(h))
            key = rng.choice(list(obj.attrs))
            if how == "delete_attr":
                del obj.attrs[key]
            elif how == "garble_attr":
                value = _GARBAGE[0](rng)
                obj.attrs.create(key, value, dtype=h5py.string_dtype())
            else:
                value = rng.choice(_GARBAGE)(rng)
                if isinstance(value, np.ndarray) and value.dtype == object:
                    obj.attrs.create(key, value, dtype=h5py.string_dtype())
                else:
                    obj.attrs[key] = value
            return f"{how} {obj.name}@{key}"
        if how == "dangling_link":
            group = rng.choice(_groups(h))
            names = list(group)
            if names and rng.random() < 0.6:
                name = rng.choice(names)
                del group[name]
            else:
                name = rng.choice(("metadata", "data", "positions", "link", "x"))
                if name in group:
                    del group[name]
            group[name] = h5py.SoftLink(f"/nowhere/{rng.randrange(1000)}")
            return f"soft link {group.name}/{name}"
        if how == "link_cycle":
            groups = [g for g in _groups(h) if g.name != "/"]
            group = rng.choice(groups)
            ancestors = [group.parent]
            while ancestors[-1].name != "/":
                ancestors.append(ancestors[-1].parent)
            target = rng.choice([group, *ancestors])
            for sub in ("sources", "sections", "references", "data_arrays", "metadata", "link", None):
                if sub is None:
                    name = f"loop{rng.randrange(100)}"
                    holder = group
                elif sub in group and isinstance(group[sub], h5py.Group):
                    holder, name = group[sub], f"loop{rng.randrange(100)}"
                else:
                    continue
                if name in holder:
                    del holder[name]
                holder[name] = target
                return f"cycle {holder.name}/{name} -> {target.name}"
            return "no cycle"
        if how == "wrong_dimensions":
            dims = [g for g in _groups(h) if g.name.endswith("/dimensions")]
            group = rng.choice(dims)
            names = sorted(group)
            choice = rng.randrange(4)
            if choice == 0 and names:
                del group[names[-1]]
            elif choice == 1:
                new = group.create_group(str(len(names) + 1))
                new.attrs["dimension_type"] = rng.choice(("set", "sample", "range", "bogus"))
            elif choice == 2 and names:
                group.move(names[0], str(len(names) + 5))
            else:
                group.create_dataset(str(len(names) + 1), data=[1])
            return f"dimensions {group.name} change {choice}"
        if how == "version_shape":
            value = rng.choice(
                (
                    np.array([1, 2], dtype=np.int32),
                    np.array([[1, 2, 1]], dtype=np.int32),
                    np.int32(1),
                    "1.2.1",
                    np.array([1.0, 2.0, 1.0]),
                    np.array([], dtype=np.int32),
                    np.array([1, 2, 1, 0], dtype=np.int64),
                    np.array([1, 99, 1], dtype=np.int32),
                )
            )
            h.attrs["version"] = value
            return f"version {value!r}"
        if how == "delete_object":
            obj = rng.choice(_objects(h)[1:])
            name = obj.name
            del h[name]
            return f"deleted {name}"
        if how == "swap_kind":
            obj = rng.choice(_objects(h)[1:])
            name = obj.name
            was_group = isinstance(obj, h5py.Group)
            del h[name]
            if was_group:
                h.create_dataset(name, data=np.arange(3))
            else:
                h.create_group(name)
            return f"swapped {name}"
        datasets = [o for o in _objects(h) if isinstance(o, h5py.Dataset)]
        ds = rng.choice(datasets)
        name = ds.name
        del h[name]
        replacement = rng.choice(
            (
                np.array(["a", "b"], dtype=object),
                np.zeros((2, 2, 2)),
                np.array([np.nan, np.inf]),
                np.array([3, 1, 2], dtype=np.uint8),
                np.zeros(0),
            )
        )
        if replacement.dtype == object:
            h.create_dataset(name, data=replacement, dtype=h5py.string_dtype())
        else:
            h.create_dataset(name, data=replacement)
        return f"retyped {name}"


def mutate(seed_file: Path, dest: Path, case: int, campaign_seed: int) -> str:
    """Write a corrupted copy of ``seed_file`` to ``dest``; returns what was done."""
    rng = random.Random(campaign_seed * 1_000_003 + case)
    how = MUTATIONS[case % len(MUTATIONS)]
    shutil.copyfile(seed_file, dest)
    if how in ("bitflip", "truncate", "zero_block"):
        return f"{how}: {_bytes(dest, rng, how)}"
    try:
        return f"{how}: {_structural(dest, rng, how)}"
    except (IndexError, ValueError, KeyError, OSError, TypeError) as exc:
        # Some mutations do not apply to every object picked; the case still runs unchanged.
        return f"{how}: not applied ({type(exc).__name__})"


# -- the walk -----------------------------------------------------------------------------------
# An HDF5 or file path, an entity repr ("name = ..."), or an entity id.
_NAMED = re.compile(r"/|name = |[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Recorder:
    def __init__(self) -> None:
        self.nix: Counter[str] = Counter()
        self.bad: list[str] = []
        self.unnamed: list[str] = []
        self.steps = 0

    def __call__(self, func: Callable[[], Any]) -> Any:
        from nixkit.exceptions import NixError

        self.steps += 1
        try:
            return func()
        except NixError as exc:
            self.nix[type(exc).__name__] += 1
            if not _NAMED.search(str(exc)):
                # Every error about damage should say where it is: a path, an entity or an id.
                self.unnamed.append(f"{type(exc).__name__}: {str(exc)[:160]}")
        except MemoryError:
            # A damaged shape can claim terabytes; refusing to allocate them is the right answer.
            self.nix["MemoryError"] += 1
        except Exception as exc:  # any other type is what the fuzzer hunts
            import traceback

            frames = traceback.extract_tb(exc.__traceback__)
            where = next((f"{f.filename.rsplit('/src/', 1)[-1]}:{f.lineno}" for f in reversed(frames)), "?")
            self.bad.append(f"{type(exc).__name__} at {where}: {str(exc)[:160]}")
        return None


def _each(rec: _Recorder, items: Callable[[], Any]) -> list[Any]:
    got = rec(lambda: list(items()))
    return got if got is not None else []


def walk(path: str, validate: bool = True) -> _Recorder:
    """Open ``path`` read-only and read everything through the public API (and validate it)."""
    import nixkit as nix

    rec = _Recorder()
    f = rec(lambda: nix.File.open(path, nix.FileMode.ReadOnly))
    if f is None:
        return rec
    try:
        for name in ("version", "format", "id", "created_at", "updated_at"):
            rec(lambda name=name: getattr(f, name))
        for b in _each(rec, lambda: f.blocks):
            _entity(rec, b)
            for da in _each(rec, lambda b=b: b.data_arrays):
                _data_array(rec, da)
            for df in _each(rec, lambda b=b: b.data_frames):
                _entity(rec, df)
                for name in ("column_names", "units", "shape", "dtype"):
                    rec(lambda df=df, name=name: getattr(df, name))
                rec(lambda df=df: df.read_rows(list(range(min(len(df), 3)))))
            for tag in _each(rec, lambda b=b: b.tags):
                _tag(rec, tag, ("position", "extent"))
                rec(lambda tag=tag: tag.tagged_data(0))
            for mt in _each(rec, lambda b=b: b.multi_tags):
                _tag(rec, mt, ("positions", "extents"))
                rec(lambda mt=mt: mt.tagged_data(0, 0))
            for grp in _each(rec, lambda b=b: b.groups):
                _entity(rec, grp)
                for kind in ("data_arrays", "tags", "multi_tags", "sources", "data_frames"):
                    for member in _each(rec, lambda grp=grp, kind=kind: getattr(grp, kind)):
                        rec(lambda member=member: member.name)
            for src in _each(rec, lambda b=b: b.find_sources()):
                _entity(rec, src)
        for sec in _each(rec, lambda: f.find_sections()):
            _entity(rec, sec)
            rec(lambda sec=sec: sec.link)
            for prop in _each(rec, lambda sec=sec: sec.props):
                for name in ("name", "values", "unit", "data_type", "uncertainty", "odml_type"):
                    rec(lambda prop=prop, name=name: getattr(prop, name))
        if validate:
            rec(lambda: f.validate().to_text())
    finally:
        rec(f.close)
    return rec


def _entity(rec: _Recorder, obj: Any) -> None:
    for name in ("name", "type", "id", "definition", "created_at", "updated_at", "metadata"):
        if hasattr(type(obj), name):
            rec(lambda name=name: getattr(obj, name))
    rec(lambda: repr(obj))


def _data_array(rec: _Recorder, da: Any) -> None:
    _entity(rec, da)
    for name in ("shape", "dtype", "unit", "label", "polynom_coefficients", "expansion_origin", "data_type"):
        rec(lambda name=name: getattr(da, name))
    arr = rec(lambda: np.asarray(da))
    if arr is not None and arr.ndim and len(arr):
        rec(lambda: da[0])
    for dim in _each(rec, lambda: da.dimensions):
        for name in ("dimension_type", "label", "unit", "sampling_interval", "offset", "ticks", "labels"):
            if hasattr(type(dim), name):
                rec(lambda dim=dim, name=name: getattr(dim, name))
        link = rec(lambda dim=dim: dim.dimension_link)
        if link is not None:
            rec(lambda link=link: link.values)
    for src in _each(rec, lambda: da.sources):
        rec(lambda src=src: src.name)


def _tag(rec: _Recorder, tag: Any, attrs: tuple[str, ...]) -> None:
    _entity(rec, tag)
    for name in (*attrs, "units"):
        rec(lambda name=name: getattr(tag, name))
    for ref in _each(rec, lambda: tag.references):
        rec(lambda ref=ref: ref.shape)
    for feat in _each(rec, lambda: tag.features):
        for name in ("link_type", "data", "id"):
            rec(lambda feat=feat, name=name: getattr(feat, name))


# -- a defect of the HDF5 C library ---------------------------------------------------------------
def hdf5_heap_loop(path: Path) -> bool:
    """Whether HDF5 would loop forever reading strings from this file.

    A defect of the HDF5 C library (see ``nixkit.storage.heap``): such cases are counted
    apart instead of being walked, since no Python code can interrupt the loop.
    """
    from nixkit.storage.heap import heap_loops

    return bool(heap_loops(path))


# -- workers and the campaign -----------------------------------------------------------------
def worker_main(argv: list[str]) -> None:
    """Worker process: ``fuzzing.py SEEDFILE CAMPAIGN_SEED FIRST LAST WORKDIR``; one JSON line per case."""
    seed_file, campaign_seed, first, last, workdir = argv
    tmp = Path(workdir) / f"case-{os.getpid()}.nix"
    for case in range(int(first), int(last)):
        what = mutate(Path(seed_file), tmp, case, int(campaign_seed))
        print(json.dumps({"start": case, "what": what}), flush=True)
        if hdf5_heap_loop(tmp):
            print(json.dumps({"case": case, "outcome": "hdf5_heap_loop", "nix": {}, "bad": []}), flush=True)
            continue
        rec = walk(str(tmp), validate=case % VALIDATE_EVERY == 0)
        outcome = "bad" if rec.bad else ("nixerror" if rec.nix else "ok")
        print(
            json.dumps(
                {
                    "case": case,
                    "outcome": outcome,
                    "nix": dict(rec.nix),
                    "bad": rec.bad,
                    "unnamed": rec.unnamed,
                    "steps": rec.steps,
                }
            ),
            flush=True,
        )


@dataclass
class Campaign:
    """Results of a campaign: counts per outcome and per (mutation, outcome), and the failures."""

    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_mutation: Counter[tuple[str, str]] = field(default_factory=Counter)
    nix_errors: Counter[str] = field(default_factory=Counter)
    unnamed: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def record(self, case: int, what: str, outcome: str, detail: dict[str, Any]) -> None:
        self.cases += 1
        self.outcomes[outcome] += 1
        self.by_mutation[(what.split(":", 1)[0], outcome)] += 1
        self.nix_errors.update(detail.get("nix", {}))
        self.unnamed.update(u.split(":", 1)[0] for u in detail.get("unnamed", []))
        if outcome in ("bad", "crash", "hang"):
            self.failures.append({"case": case, "what": what, "outcome": outcome, **detail})

    def summary(self) -> str:
        lines = [f"{self.cases} cases in {self.seconds:.1f} s: {dict(self.outcomes)}"]
        for how in MUTATIONS:
            counts = {o: n for (m, o), n in self.by_mutation.items() if m == how}
            lines.append(f"  {how:17s} {counts}")
        lines.append(f"  nixkit errors raised: {dict(self.nix_errors)}")
        lines.append(f"  of which without a path in the message: {dict(self.unnamed)}")
        lines.extend(f"  FAIL {f}" for f in self.failures[:30])
        return "\n".join(lines)


def _run_range(
    seed_file: Path, campaign_seed: int, first: int, last: int, workdir: Path, timeout: float
) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    """Run cases ``first..last`` in worker processes, restarting after a crash or hang."""
    case = first
    while case < last:
        proc = subprocess.Popen(
            [sys.executable, __file__, str(seed_file), str(campaign_seed), str(case), str(last), str(workdir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        current: tuple[int, str] | None = None
        failed = ""
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if not ready:
                failed = "hang"
                proc.kill()
                break
            line = proc.stdout.readline()
            if not line:
                failed = "crash"
                break
            msg = json.loads(line)
            if "start" in msg:
                current = (msg["start"], msg["what"])
                continue
            assert current is not None
            yield current[0], current[1], msg["outcome"], msg
            case = current[0] + 1
            current = None
        proc.wait()
        proc.stdout.close()
        if current is not None:
            yield current[0], current[1], failed, {"returncode": proc.returncode}
            case = current[0] + 1
        elif failed == "hang" or (failed == "crash" and case < last):
            # The worker died between cases (e.g. while starting): count it once and go on.
            yield case, "startup", failed, {"returncode": proc.returncode}
            case += 1


def run_campaign(
    seed_files: list[Path],
    cases: int,
    campaign_seed: int,
    workers: int = 2,
    timeout: float = 30.0,
    keep: Path | None = None,
) -> Campaign:
    """Run ``cases`` cases spread over the seed files, ``workers`` processes at a time.

    Seed file ``i`` uses campaign seed ``campaign_seed + i``. With ``keep``, the corrupted
    file of every crashing, hanging or failing case is written there.
    """
    from concurrent.futures import ThreadPoolExecutor

    result = Campaign()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nixkit-fuzz-") as workdir:
        jobs = []
        per_seed = cases // len(seed_files)
        for i, seed_file in enumerate(seed_files):
            # Case numbers run on across seed files, so each file gets every kind of mutation.
            first = i * per_seed
            n = per_seed if i < len(seed_files) - 1 else cases - first
            step = -(-n // workers)
            for k in range(workers):
                lo, hi = first + k * step, first + min(n, (k + 1) * step)
                if lo < hi:
                    jobs.append((seed_file, campaign_seed + i, lo, hi))

        def run(job: tuple[Path, int, int, int]) -> list[tuple[Path, int, str, str, dict[str, Any]]]:
            return [(job[0], *r) for r in _run_range(job[0], job[1], job[2], job[3], Path(workdir), timeout)]

        with ThreadPoolExecutor(workers) as pool:
            for results in pool.map(run, jobs):
                for seed_file, case, what, outcome, detail in results:
                    result.record(case, what, outcome, {"seed": seed_file.name, **detail})
                    if keep is not None and outcome in ("bad", "crash", "hang"):
                        keep.mkdir(parents=True, exist_ok=True)
                        index = seed_files.index(seed_file)
                        mutate(seed_file, keep / f"{seed_file.stem}-case{case}.nix", case, campaign_seed + index)
    result.seconds = time.perf_counter() - start
    return result


if __name__ == "__main__":
    worker_main(sys.argv[1:])
