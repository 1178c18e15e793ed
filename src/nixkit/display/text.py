"""The plain-text tree printed by ``Block.pprint``, ``File.pprint`` and ``Section.pprint``.

The layout follows nixio's ``pprint`` (one line per entity, its repr indented by depth,
group members marked ``*``, an optional second line with shape and unit), so output
that users know keeps its look. Long lines are shortened in the middle to fit
``max_length``. No data are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["file_lines", "print_file", "print_section", "print_tree", "section_lines", "tree_lines"]


def _fit(text: str, max_length: int) -> str:
    """Cut the middle out of ``text`` so that it is at most ``max_length`` long."""
    if len(text) <= max_length:
        return text
    keep = max(max_length - 5, 2)
    head = keep - keep // 2
    return f"{text[:head]} ... {text[len(text) - keep // 2 :]}"


def _stat(obj: Any) -> str:
    """The second line of an entity: what its shape and units are."""
    kind = type(obj).__name__
    if kind == "MultiTag":
        return f"Position Shape:{obj.positions.shape} Units: {obj.units}"
    if kind == "Tag":
        return f"Position Length:{len(obj.position)} Units: {obj.units}"
    if kind == "DataFrame":
        return f"Shape: {obj.shape} Columns:{obj.column_names}"
    if kind == "DataArray":
        return f"Shape: {obj.shape} Unit:{obj.unit}"
    return ""


def _entry(obj: Any, max_length: int, spaces: int, extra: bool, member: bool = False) -> Iterator[str]:
    pad = " " * spaces
    yield _fit(f"{pad}{'*' if member else ''}{obj}", max_length)
    if extra:
        yield _fit(f"{pad}  {_stat(obj)}", max_length)


def _array_lines(da: Any, max_length: int, spaces: int, indent: int, extra: bool, member: bool) -> Iterator[str]:
    yield from _entry(da, max_length, spaces, extra, member)
    for dim in da.dimensions:
        yield from _entry(dim, max_length, spaces + indent, False)


def _tag_lines(tag: Any, max_length: int, spaces: int, indent: int, extra: bool, member: bool) -> Iterator[str]:
    yield from _entry(tag, max_length, spaces, extra, member)
    for feature in tag.features:
        yield from _entry(feature, max_length, spaces + indent, False)


def tree_lines(
    block: Any, indent: int = 2, max_length: int = 120, extra: bool = True, start_depth: int = 0
) -> Iterator[str]:
    """Yield the lines of a block's tree (see :func:`print_tree`)."""
    step = indent
    base = indent * start_depth
    yield _fit(f"{' ' * base}{block}", max_length)
    for group in block.groups:
        yield from _entry(group, max_length, base + step, False)
        inner = base + 2 * step
        for da in group.data_arrays:
            yield from _array_lines(da, max_length, inner, step, extra, True)
        for df in group.data_frames:
            yield from _entry(df, max_length, inner, extra, True)
        for tag in group.tags:
            yield from _tag_lines(tag, max_length, inner, step, extra, True)
        for mtag in group.multi_tags:
            yield from _tag_lines(mtag, max_length, inner, step, extra, True)
    for da in block.data_arrays:
        yield from _array_lines(da, max_length, base + step, step, extra, False)
    for df in block.data_frames:
        yield from _entry(df, max_length, base + step, extra)
    for tag in block.tags:
        yield from _tag_lines(tag, max_length, base + step, step, extra, False)
    for mtag in block.multi_tags:
        yield from _tag_lines(mtag, max_length, base + step, step, extra, False)


def print_tree(block: Any, indent: int = 2, max_length: int = 120, extra: bool = True, start_depth: int = 0) -> None:
    """Print a block's groups, data arrays, data frames, tags and multi-tags.

    Parameters
    ----------
    block : Block
        The block to print.
    indent : int
        Spaces per level.
    max_length : int
        Longest line printed; longer ones lose their middle.
    extra : bool
        Add a line with shape, unit or position information below each entity.
    start_depth : int
        Level of the block itself (1 inside a file's tree).
    """
    for line in tree_lines(block, indent, max_length, extra, start_depth):
        print(line)


def _value_text(values: Any) -> str:
    items = [v.item() if hasattr(v, "item") else v for v in values]
    return str(tuple(items))


def section_lines(
    section: Any, indent: int = 2, max_depth: int = -1, max_length: int = 80, current_depth: int = 0
) -> Iterator[str]:
    """Yield the lines of a metadata tree (see :func:`print_section`)."""
    pad = " " * (current_depth * indent)
    yield _fit(f"{pad}{section.name} [{section.type}]", max_length)
    prop_pad = " " * ((current_depth + 2) * indent)
    for prop in section.props:
        unit = prop.unit or ""
        yield _fit(f"{prop_pad}|- {prop.name}: {_value_text(prop.values)}{unit}", max_length)
    if max_depth == -1 or current_depth < max_depth:
        for child in section.sections:
            yield from section_lines(child, indent, max_depth, max_length, current_depth + 1)
    else:
        # The depth limit is reached: name the subsections, elide their contents.
        child_pad = " " * ((current_depth + 1) * indent)
        for child in section.sections:
            yield _fit(f"{child_pad}{child.name} [{child.type}]", max_length)
            yield f"{child_pad}{' ' * indent}[...]"


def print_section(
    section: Any, indent: int = 2, max_depth: int = -1, max_length: int = 80, current_depth: int = 0
) -> None:
    """Print a section, its properties with values and units, and its subsections.

    Parameters
    ----------
    section : Section
        The root of the printed tree.
    indent : int
        Spaces per level.
    max_depth : int
        Deepest level printed in full (-1: all); deeper sections are only named.
    max_length : int
        Longest line printed.
    current_depth : int
        Level of ``section`` itself.
    """
    for line in section_lines(section, indent, max_depth, max_length, current_depth):
        print(line)


def file_lines(
    file: Any, indent: int = 2, max_length: int = 120, extra: bool = True, max_depth: int = 3
) -> Iterator[str]:
    """Yield the lines of a whole file's tree (see :func:`print_file`)."""
    yield f"File: name = {file.filename}"
    for block in file.blocks:
        yield from tree_lines(block, indent, max_length, extra, start_depth=1)
    for section in file.sections:
        yield from section_lines(section, indent, max_depth, max_length, current_depth=1)


def print_file(file: Any, indent: int = 2, max_length: int = 120, extra: bool = True, max_depth: int = 3) -> None:
    """Print every block's tree, then the metadata trees, of ``file``.

    Parameters
    ----------
    file : File
        The open file.
    indent : int
        Spaces per level.
    max_length : int
        Longest line printed.
    extra : bool
        Add shape/unit lines below data entities.
    max_depth : int
        Deepest metadata level printed in full.
    """
    for line in file_lines(file, indent, max_length, extra, max_depth):
        print(line)
