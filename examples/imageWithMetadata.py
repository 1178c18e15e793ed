#!/usr/bin/env python
"""Adding arbitrary metadata: a Section with Properties (and a subsection) describing
an image, attached to its DataArray (tutorial section "Adding arbitrary metadata").

Writes image_with_metadata.nix and image_with_metadata.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "image_with_metadata.nix"


def make_image(height: int = 200, width: int = 300) -> np.ndarray:
    """A synthetic RGB picture (no download needed)."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([0.5 + 0.5 * np.sin(x / 17.0), y / height, 1 - x / width], axis=-1)
    disc = (y - 100) ** 2 + (x - 150) ** 2 < 60**2
    img[disc] = img[disc][:, ::-1]
    return np.round(img * 255).astype(np.uint8)


def add_image_information(file: nix.File) -> nix.Section:
    """Describe the picture in a metadata tree: a Section works like a dictionary."""
    section = file.create_section("test picture", "image.metadata")
    section["title"] = "synthetic test picture"
    section["width"] = 300
    section["height"] = 200
    section["channels"] = ["red", "green", "blue"]
    section.props["width"].unit = "px"
    section.props["height"].unit = "px"
    origin = section.create_section("origin", "image.origin")
    origin["generator"] = "numpy"
    origin["created"] = "2026-01-01"
    return section


def metadata_table(section: nix.Section, prefix: str = "") -> list[list[str]]:
    """One row per property of the section and its subsections."""
    rows = []
    for prop in section.props:
        values = ", ".join(str(v) for v in prop.values)
        rows.append([prefix + prop.name, values + (f" {prop.unit}" if prop.unit else "")])
    for child in section.sections:
        rows.extend(metadata_table(child, prefix + child.name + "/"))
    return rows


def main() -> None:
    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("image dataset", "nix.session")
        data = block.create_data_array("picture", "nix.image.rgb", data=make_image())
        data.append_sampled_dimension(1, label="height")
        data.append_sampled_dimension(1, label="width")
        data.append_set_dimension(["red", "green", "blue"])
        data.metadata = add_image_information(file)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        data = file.blocks["image dataset"].data_arrays["picture"]
        section = data.metadata
        section.pprint()
        fig, (ax_img, ax_table) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
        ax_img.imshow(data[:])
        height_dim, width_dim, _channels = data.dimensions
        ax_img.set_xlabel(width_dim.label)
        ax_img.set_ylabel(height_dim.label)
        ax_img.set_title(section["title"])
        ax_table.axis("off")
        cell_text = metadata_table(section)
        if len(cell_text) > 0:
            the_table = ax_table.table(cellText=cell_text, colLabels=["property", "value"], loc="center")
            the_table.auto_set_font_size(False)
            the_table.set_fontsize(9)
            the_table.scale(1, 1.4)
        ax_table.set_title(f"metadata: {section.name} [{section.type}]")
        fig.tight_layout()
        fig.savefig("image_with_metadata.png", dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main()
