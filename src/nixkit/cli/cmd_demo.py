"""``nixkit demo [PATH]``: write, check, validate, show and draw the tutorial file."""

from __future__ import annotations

import click


@click.command(short_help="Write, check and draw a file holding the whole NIX tutorial.")
@click.argument("path", default="nixkit-demo.nix", type=click.Path(dir_okay=False))
@click.option("--figures/--no-figures", default=True, show_default=True, help="Draw one PNG per tutorial section.")
def demo(path: str, figures: bool) -> None:
    """Build PATH (default nixkit-demo.nix) with one block per NIX tutorial section.

    The file is validated, its tagged regions and feature data are read back and
    checked, its tree is printed, and the figures go to PATH's stem + "_figures/".
    Exits with 1 when a check fails.
    """
    from pathlib import Path

    from nixkit.cli.common import BadFile, console
    from nixkit.demo import run_demo

    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise BadFile(f"{path}: the folder {folder} does not exist")
    code = run_demo(path, figures=figures, console=console())
    if code:
        raise click.exceptions.Exit(code)
