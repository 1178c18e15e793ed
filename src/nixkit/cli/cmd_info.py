"""``nixkit info FILE``: format, likely writer, entity counts and sizes."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import click
import numpy as np

from nixkit.cli.common import console, open_nix

# Which libraries wrote which format versions (from the NIX and nixpy histories).
_WRITERS = {
    (1, 0): "C++ NIX 1.0-1.3 or nixpy of 2015-2018",
    (1, 1, 0): "C++ NIX 1.4 or nixpy up to 1.4",
    (1, 1, 1): "nixpy 1.5 beta (2019)",
    (1, 2, 0): "C++ NIX 1.5 or nixio 1.5.0",
    (1, 2, 1): "nixio 1.5.1 or later, or nixkit",
}


def likely_writer(version: tuple[int, ...]) -> str:
    """The libraries that write files of ``version``."""
    return _WRITERS.get(tuple(version), _WRITERS.get(tuple(version[:2]), "unknown"))


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def summarize(nix_file: Any) -> dict[str, Any]:
    """The facts ``nixkit info`` prints, as a JSON-ready dictionary."""
    from nixkit.display.describe import describe

    root = describe(nix_file)
    counts: Counter[str] = Counter()
    data_bytes = 0
    stack = [root]
    while stack:
        node = stack.pop()
        for _role, child in node.iter_children():
            if child.link:
                continue
            counts[child.kind] += 1
            if child.kind == "DataArray" and child.fields["dtype"] != "str":
                data_bytes += int(np.prod(child.fields["shape"])) * np.dtype(child.fields["dtype"]).itemsize
            stack.append(child)
    version = tuple(nix_file.version)
    names = [
        ("blocks", "Block"),
        ("groups", "Group"),
        ("data_arrays", "DataArray"),
        ("data_frames", "DataFrame"),
        ("tags", "Tag"),
        ("multi_tags", "MultiTag"),
        ("features", "Feature"),
        ("sources", "Source"),
        ("sections", "Section"),
        ("properties", "Property"),
    ]
    return {
        "file": nix_file.filename,
        "format": root.fields["format"],
        "version": root.fields["version"],
        "likely_writer": likely_writer(version),
        "id": root.id,
        "created_at": root.fields["created_at"],
        "updated_at": root.fields["updated_at"],
        "file_size": os.path.getsize(nix_file.filename),
        "data_size": data_bytes,
        "counts": {key: counts[kind] for key, kind in names},
    }


@click.command(short_help="Summarize a file: version, writer, counts, sizes.")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def info(file: str, as_json: bool) -> None:
    """Summarize FILE: format version, likely writer, entity counts and sizes."""
    with open_nix(file) as nix_file:
        summary = summarize(nix_file)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("file", summary["file"])
    table.add_row("format", f"{summary['format']} {summary['version']}")
    table.add_row("likely writer", summary["likely_writer"])
    table.add_row("id", str(summary["id"]))
    table.add_row("created", str(summary["created_at"]))
    table.add_row("updated", str(summary["updated_at"]))
    table.add_row("file size", _human(summary["file_size"]))
    table.add_row("data size", f"{_human(summary['data_size'])} (uncompressed numeric data)")
    for key, count in summary["counts"].items():
        table.add_row(key.replace("_", " "), str(count))
    console().print(table)
