"""``nixkit plot FILE ENTITY -o out.png``: a DataArray, Tag or MultiTag as a picture."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

import click

from nixkit.cli.common import BadFile, find_entity, open_nix

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@click.command(short_help="Draw a DataArray, Tag or MultiTag into an image.")
@click.argument("file", type=click.Path())
@click.argument("entity")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Image file to write (default: ENTITY.png).")
@click.option(
    "--kind",
    type=click.Choice(["auto", "lines", "image"]),
    default="auto",
    show_default=True,
    help="How 2-D data are drawn.",
)
@click.option("--ref", default="0", show_default=True, help="For tags: which reference to draw (index or name).")
@click.option("--dpi", type=click.IntRange(min=10), default=100, show_default=True, help="Resolution of the image.")
def plot(file: str, entity: str, output: str | None, kind: str, ref: str, dpi: int) -> None:
    """Draw ENTITY of FILE into an image, axes labelled from the dimensions.

    A DataArray is drawn as a line (1-D), as lines or an image (2-D) or as an RGB image
    (3-D); a Tag or MultiTag is drawn over the data it references. ENTITY is a name, an
    id, or a path such as BLOCK/NAME.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nixkit.plot import plot_data_array, plot_multi_tag, plot_tag

    with open_nix(file) as nix_file:
        obj = find_entity(nix_file, entity)
        kind_name = type(obj).__name__
        reference: int | str = int(ref) if ref.lstrip("-").isdigit() else ref
        try:
            if kind_name == "DataArray":
                ax = plot_data_array(obj, kind=kind)
            elif kind_name == "Tag":
                ax = plot_tag(obj, ref=reference, kind=kind)
            elif kind_name == "MultiTag":
                ax = plot_multi_tag(obj, ref=reference, kind=kind)
            else:
                raise BadFile(f"{entity}: a {kind_name} cannot be plotted; give a DataArray, Tag or MultiTag")
        except (TypeError, ValueError, LookupError) as exc:
            raise BadFile(f"{entity}: {exc}") from exc
        target = output or re.sub(r"[^\w.-]+", "_", obj.name) + ".png"
        figure = cast("Figure", ax.figure)
        figure.savefig(target, dpi=dpi)
        plt.close(figure)
    click.echo(f"wrote {target}")
