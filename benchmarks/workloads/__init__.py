"""The eight workloads of issue 5, one module each, registered in issue order."""

from __future__ import annotations

from types import ModuleType

from benchmarks.workloads import (
    append,
    big_array,
    create,
    iterate,
    lookup,
    metadata,
    tagged,
    tree,
)

WORKLOADS: dict[str, ModuleType] = {
    m.NAME: m for m in (create, iterate, lookup, big_array, tagged, metadata, append, tree)
}


def select(keys: list[str] | None) -> list[ModuleType]:
    """Workloads chosen by number (``"4"``) or name (``"big_array"``); all when empty."""
    if not keys:
        return list(WORKLOADS.values())
    chosen: list[ModuleType] = []
    for key in keys:
        hit = [m for m in WORKLOADS.values() if key in (m.NAME, str(m.NUMBER))]
        if not hit:
            names = ", ".join(f"{m.NUMBER}={m.NAME}" for m in WORKLOADS.values())
            raise SystemExit(f"unknown workload {key!r}; choose from {names}")
        chosen.extend(m for m in hit if m not in chosen)
    return sorted(chosen, key=lambda m: m.NUMBER)
