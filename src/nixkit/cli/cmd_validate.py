"""``nixkit validate FILE...``: the validation report; exit code 1 when a file has errors."""

from __future__ import annotations

import json
from typing import Any

import click

from nixkit.cli.common import BadFile, console, open_nix


def _print_report(report: Any, warnings: bool) -> None:
    out = console()
    style = "green" if report.ok else "red"
    out.print(
        f"[bold]{report.filename}[/]: [{style}]{report.error_count} error(s)[/], {report.warning_count} warning(s)"
    )
    shown = [i for i in report.issues if warnings or i.severity == "error"]
    for issue in sorted(shown, key=lambda i: i.severity != "error"):
        colour = "red" if issue.severity == "error" else "yellow"
        who = f"{issue.kind} {issue.name!r}" if issue.name else issue.kind
        out.print(
            f"  [{colour}]{issue.severity}[/] {who} ({issue.path}): {issue.message} [dim]\\[{issue.rule}][/]",
            markup=True,
            soft_wrap=True,
        )
    if not report.issues:
        out.print("  the file follows every NIX rule checked")


@click.command(short_help="Check files against the NIX rules.")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the reports as a JSON list.")
@click.option("--no-warnings", is_flag=True, help="List errors only (warnings are still counted).")
def validate(files: tuple[str, ...], as_json: bool, no_warnings: bool) -> None:
    """Check each FILE against the NIX rules and print what breaks them.

    Exits with 1 when a file has errors, with 2 when a file cannot be read.
    """
    results: list[dict[str, Any]] = []
    failed = broken = False
    for path in files:
        try:
            with open_nix(path) as nix_file:
                report = nix_file.validate()
        except BadFile as exc:
            exc.show()
            broken = True
            results.append({"file": path, "error": exc.format_message()})
            continue
        failed |= not report.ok
        if as_json:
            results.append(report.to_dict())
        else:
            _print_report(report, warnings=not no_warnings)
    if as_json:
        click.echo(json.dumps(results, indent=2))
    if broken:
        raise click.exceptions.Exit(2)
    if failed:
        raise click.exceptions.Exit(1)
