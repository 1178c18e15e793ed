#!/usr/bin/env python
"""Single region of interest: a Tag marks a rectangle on an RGB image (tutorial section
"Single point or region").

The position and extent have one entry per dimension of the tagged data: height, width
and the colour channels. ``tag.tagged_data`` gives the pixels inside the region.

Writes single_roi.nix and single_roi.png into the current directory.
"""

import matplotlib.pyplot as plt
from _lif import make_picture
from matplotlib.patches import Rectangle

import nixkit as nix

FILE_NAME = "single_roi.nix"


def main() -> None:
    img_data = make_picture()
    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("block name", "nix.session")
        data = block.create_data_array("test picture", "nix.image.rgb", data=img_data)
        data.append_sampled_dimension(1.0, label="height", unit="px")
        data.append_sampled_dimension(1.0, label="width", unit="px")
        data.append_set_dimension(["R", "G", "B"])

        position = [250, 250, 0]
        extent = [30, 100, 3]
        tag = block.create_tag("Region of interest", "nix.roi", position)
        tag.extent = extent
        tag.references.append(data)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        block = file.blocks["block name"]
        tag = block.tags["Region of interest"]
        image = block.data_arrays["test picture"]
        roi = tag.tagged_data("test picture")[:]

        fig, (ax_img, ax_roi) = plt.subplots(1, 2, figsize=(10, 4.5), gridspec_kw={"width_ratios": [1, 1.6]})
        ax_img.imshow(image[:])
        (y, x, _), (h, w, _) = tag.position, tag.extent
        ax_img.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor="red", linewidth=2))
        ax_img.set_title(image.name)
        ax_roi.imshow(roi)
        ax_roi.set_title(f"{tag.name}: {roi.shape[0]} x {roi.shape[1]} px")
        for ax in (ax_img, ax_roi):
            ax.set_xlabel("width [px]")
            ax.set_ylabel("height [px]")
        fig.tight_layout()
        fig.savefig("single_roi.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
