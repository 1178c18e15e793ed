"""What every command shares: opening files safely, finding entities, one-line errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from nixkit.model.file import File

__all__ = ["BadFile", "InternalError", "console", "find_entity", "one_line", "open_nix"]


class BadFile(click.ClickException):
    """A file that is missing, unreadable or not NIX: one line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"nixkit: error: {self.format_message()}", err=True)


class InternalError(click.ClickException):
    """A failure nixkit did not expect: one line on stderr, exit code 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"nixkit: internal error: {self.format_message()}", err=True)


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on a single line (KeyError's quotes removed)."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    text = " ".join(text.split())
    return text or type(exc).__name__


def check_readable(path: str) -> Path:
    """``path`` as a Path, or :class:`BadFile` saying why it cannot be read."""
    p = Path(path)
    if not p.exists():
        raise BadFile(f"{path}: no such file")
    if p.is_dir():
        raise BadFile(f"{path}: is a directory, not a NIX file")
    if not os.access(p, os.R_OK):
        raise BadFile(f"{path}: permission denied")
    return p


@contextmanager
def open_nix(path: str) -> Iterator[File]:
    """Open ``path`` read-only; any reason it cannot be opened becomes :class:`BadFile`."""
    from nixkit.exceptions import NixError
    from nixkit.model.enums import FileMode
    from nixkit.model.file import File

    check_readable(path)
    try:
        nix_file = File.open(path, FileMode.ReadOnly)
    except (NixError, OSError) as exc:
        raise BadFile(f"{path}: cannot open as a NIX file: {one_line(exc)}") from exc
    try:
        yield nix_file
    finally:
        nix_file.close()


def console(stderr: bool = False) -> Console:
    """A rich console; pipes and captured output get a fixed, wide layout and no colour."""
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False)
    if not out.is_terminal:
        out = Console(stderr=stderr, highlight=False, width=120, no_color=True)
    return out


# Child roles searched when resolving an entity path, per kind of entity.
_ROLES = {
    "File": ("blocks", "sections"),
    "Block": ("data_arrays", "data_frames", "tags", "multi_tags", "groups", "sources"),
    "Group": ("data_arrays", "data_frames", "tags", "multi_tags", "sources"),
    "Source": ("sources",),
    "Section": ("sections", "props"),
}


def _children(obj: Any) -> Iterator[Any]:
    for role in _ROLES.get(type(obj).__name__, ()):
        yield from getattr(obj, role)


def _walk(nix_file: File) -> Iterator[tuple[str, Any]]:
    """``(path, entity)`` for every entity of the file, breadth first.

    Group members are not repeated: they are found where they live, in their block.
    """
    level: list[tuple[str, Any]] = [("", nix_file)]
    while level:
        nxt: list[tuple[str, Any]] = []
        for path, obj in level:
            if type(obj).__name__ == "Group":
                continue
            for child in _children(obj):
                entry = (f"{path}/{child.name}" if path else child.name, child)
                yield entry
                nxt.append(entry)
        level = nxt


def find_entity(nix_file: File, spec: str) -> Any:
    """Find an entity by id, by name, or by a ``/``-separated path of names.

    ``"session/sinewave"`` is the entity ``sinewave`` inside block ``session``; a bare
    name or id is searched in the whole file and must be unique.

    Raises
    ------
    BadFile
        When nothing, or more than one entity, fits ``spec``.
    """
    parts = [p for p in spec.strip("/").split("/") if p]
    if not parts:
        raise BadFile("no entity given")
    if len(parts) > 1:
        current: Any = nix_file
        for part in parts:
            matches = [c for c in _children(current) if part in (c.name, c.id)]
            if not matches:
                raise BadFile(f"{spec}: no entity named {part!r} in {_label(current)}")
            current = matches[0]
        return current
    found = [(path, obj) for path, obj in _walk(nix_file) if spec in (obj.name, obj.id)]
    if not found:
        raise BadFile(f"{spec}: no entity of that name or id in {nix_file.filename}")
    if len({obj.id for _path, obj in found}) > 1:
        places = ", ".join(f"{type(obj).__name__} {path!r}" for path, obj in found[:5])
        raise BadFile(f"{spec}: the name is not unique ({places}); give its path")
    return found[0][1]


def _label(obj: Any) -> str:
    if type(obj).__name__ == "File":
        return str(obj.filename)
    return f"{type(obj).__name__} {obj.name!r}"
