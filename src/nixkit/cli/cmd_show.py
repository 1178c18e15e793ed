"""``nixkit show FILE``: the tree of a file's entities, filtered by depth, kind and name."""

from __future__ import annotations

import click

from nixkit.cli.common import console, open_nix


@click.command(short_help="Print the tree of a file's entities.")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("-d", "--depth", type=click.IntRange(min=0), default=None, help="Levels shown below the file.")
@click.option(
    "-t",
    "--type",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Show only entities of this kind (block, group, data_array, data_frame, tag, multi_tag, "
    "feature, source, section, property, dimension), with the path to them. Repeatable.",
)
@click.option("-n", "--name", default=None, help="Show only entities whose name contains this text (or fits a glob).")
@click.option("--ids", is_flag=True, help="Also print entity ids.")
def show(file: str, depth: int | None, kinds: tuple[str, ...], name: str | None, ids: bool) -> None:
    """Print the tree of FILE: blocks, groups, data arrays (shape, dtype, unit, dimensions),
    data frames, tags, multi-tags, features, sources and metadata."""
    from nixkit.display.describe import describe
    from nixkit.display.tree import filter_node, normalize_kind, rich_tree

    try:
        classes = [cls for kind in kinds for cls in normalize_kind(kind)]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--type") from None
    with open_nix(file) as nix_file:
        node = describe(nix_file, values=True, depth=depth)
    out = console()
    if classes or name is not None:
        filtered = filter_node(node, classes, name)
        if filtered is None:
            out.print(rich_tree(type(node)(node.kind, node.name, fields=node.fields), ids=ids))
            out.print("no entities match the filter")
            return
        node = filtered
    out.print(rich_tree(node, ids=ids))
