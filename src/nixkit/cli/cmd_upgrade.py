"""``nixkit upgrade FILE...``: convert older NIX formats to 1.2.1, with a progress bar.

The conversion writes a complete new file beside the original and swaps it in only
when it is finished, so an interrupted upgrade leaves the original as it was.
"""

from __future__ import annotations

import click

from nixkit.cli.common import BadFile, check_readable, console, one_line


@click.command(short_help="Convert older NIX files to format 1.2.1.")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def upgrade(files: tuple[str, ...]) -> None:
    """Convert each FILE of NIX format 1.0, 1.1 or 1.2.0 to the current format 1.2.1.

    The original stays untouched until the converted file is complete; files that are
    already current are left alone.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from nixkit.exceptions import NixError
    from nixkit.upgrade import upgrade as upgrade_file

    out = console()
    broken = False
    for path in files:
        try:
            check_readable(path)
        except BadFile as exc:
            exc.show()
            broken = True
            continue
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"upgrading {path}", total=None)

            def advance(done: int, total: int, task: TaskID = task, bar: Progress = bar) -> None:
                bar.update(task, completed=done, total=total)

            try:
                report = upgrade_file(path, progress=advance)
            except (NixError, OSError) as exc:
                BadFile(f"{path}: cannot upgrade: {one_line(exc)}").show()
                broken = True
                continue
        out.print(str(report), markup=False, highlight=False)
    if broken:
        raise click.exceptions.Exit(2)
