"""``nixkit dump FILE [ENTITY]``: JSON of the structure and metadata, data on request."""

from __future__ import annotations

import json
import math
from typing import Any

import click
import numpy as np

from nixkit.cli.common import console, find_entity, open_nix


def _clean(value: Any) -> Any:
    """JSON-ready values: non-finite floats become null, numpy types plain Python."""
    from nixkit.display.describe import jsonable

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray, bytes)):
        return _clean(jsonable(value))
    return value


def _leading_rows(shape: tuple[int, ...], max_elements: int | None) -> int | None:
    """How many entries along axis 0 keep the element count within ``max_elements``."""
    if max_elements is None or not shape or int(np.prod(shape)) <= max_elements:
        return None
    per_row = int(np.prod(shape[1:])) or 1
    return max(1, max_elements // per_row)


def _add_data(obj: Any, node: Any, max_elements: int | None) -> None:
    shape = tuple(obj.shape)
    rows = _leading_rows(shape, max_elements)
    values = obj[:rows]
    if node.kind == "DataFrame":
        node.fields["data"] = [_clean(list(row)) for row in np.atleast_1d(values).tolist()]
    else:
        node.fields["data"] = _clean(np.asarray(values).tolist())
    if rows is not None:
        node.fields["data_truncated"] = True


@click.command(short_help="Print a file's structure and metadata (and data) as JSON.")
@click.argument("file", type=click.Path())
@click.argument("entity", required=False)
@click.option("--data", "with_data", is_flag=True, help="Include the values of data arrays and data frames.")
@click.option(
    "--max-elements",
    type=click.IntRange(min=1),
    default=None,
    help="With --data: at most about this many values per array (leading rows are kept).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file, not stdout.")
@click.option("--indent", type=click.IntRange(min=0), default=2, show_default=True, help="JSON indentation.")
def dump(
    file: str, entity: str | None, with_data: bool, max_elements: int | None, output: str | None, indent: int
) -> None:
    """Write the structure and metadata of FILE (or of one ENTITY in it) as JSON.

    ENTITY is a name, an id, or a path such as BLOCK/NAME. Values of data arrays and data
    frames are left out unless --data is given; a progress bar follows long reads.
    """
    from rich.progress import Progress

    from nixkit.display.describe import Node, describe

    with open_nix(file) as nix_file:
        target = find_entity(nix_file, entity) if entity else nix_file
        pending: list[tuple[Any, Node]] = []

        def collect(obj: Any, node: Node) -> None:
            if node.kind in ("DataArray", "DataFrame"):
                pending.append((obj, node))

        root = describe(target, values=True, details=True, visit=collect if with_data else None)
        if pending:
            with Progress(console=console(stderr=True), transient=True) as bar:
                task = bar.add_task("reading data", total=len(pending))
                for obj, node in pending:
                    _add_data(obj, node, max_elements)
                    bar.advance(task)
        text = json.dumps(root.to_dict(), indent=indent or None, ensure_ascii=False)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)
