"""``nixkit recover FILE [-o OUT]``: rescue what still reads from a damaged NIX file."""

from __future__ import annotations

import click

from nixkit.cli.common import check_readable, console


@click.command(short_help="Copy what still reads from a damaged file into a new one.")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Path(), default=None, help="Where to write (default: FILE.recovered.nix).")
def recover(file: str, output: str | None) -> None:
    """Copy every readable object, attribute, data block and reference of FILE into a new file.

    FILE itself is never changed. A truncated FILE (shorter than its HDF5 superblock
    says) is read from a zero-padded copy, and what lay beyond the cut is reported as
    lost. Exits with 0 when nothing was lost, with 1 when some objects or rows could not
    be read (the report lists them), and with 2 when not even the file's root can be read
    (or its superblock records an end of file far beyond the bytes there are).
    """
    from nixkit.recover import recover as recover_file

    check_readable(file)
    result = recover_file(file, output)
    console().print(result.to_text(), markup=False, highlight=False)
    if not result.complete:
        raise click.exceptions.Exit(1)
