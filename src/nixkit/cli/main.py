"""Entry point of the ``nixkit`` command: the group, its commands and error policy.

Only click is imported here; each command imports numpy, h5py, rich or matplotlib
when it runs, so ``nixkit --help`` answers at once.
"""

from __future__ import annotations

from typing import Any

import click

from nixkit.cli.cmd_demo import demo
from nixkit.cli.cmd_dump import dump
from nixkit.cli.cmd_info import info
from nixkit.cli.cmd_plot import plot
from nixkit.cli.cmd_recover import recover
from nixkit.cli.cmd_show import show
from nixkit.cli.cmd_upgrade import upgrade
from nixkit.cli.cmd_validate import validate
from nixkit.cli.common import BadFile, InternalError, one_line


class NixGroup(click.Group):
    """A click group that turns every failure into one line on stderr, never a traceback.

    A missing, unreadable or damaged NIX file exits with 2 (like a usage error); any
    other unexpected failure exits with 1.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from nixkit.exceptions import NixError

        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except (NixError, OSError) as exc:
            raise BadFile(one_line(exc)) from exc
        except Exception as exc:
            raise InternalError(f"{type(exc).__name__}: {one_line(exc)}") from exc


@click.group(name="nixkit", cls=NixGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nixkit", prog_name="nixkit")
def cli() -> None:
    """Explore, check, upgrade, dump and plot NIX files (the neuroscience data format).

    Run 'nixkit demo' to build a file that shows every part of the NIX tutorial.
    """


for _command in (demo, show, info, validate, upgrade, dump, plot, recover):
    cli.add_command(_command)


def main() -> None:
    """Run the command line (the ``nixkit`` console script)."""
    cli(prog_name="nixkit")
