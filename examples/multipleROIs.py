#!/usr/bin/env python
"""Multiple regions of interest: a MultiTag marks three rectangles on an RGB image
(tutorial section "Multiple points or regions").

Positions and extents are 2-D DataArrays: one row per region, one column per dimension
of the image (height, width, colour), each described by a SetDimension.

Writes multiple_rois.nix and multiple_rois.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import make_picture
from matplotlib.patches import Rectangle

import nixkit as nix

FILE_NAME = "multiple_rois.nix"


def main() -> None:
    img_data = make_picture()
    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("block name", "nix.session")
        data = block.create_data_array("test picture", "nix.image.rgb", data=img_data)
        data.append_sampled_dimension(1.0, label="height", unit="px")
        data.append_sampled_dimension(1.0, label="width", unit="px")
        data.append_set_dimension(["R", "G", "B"])

        roi_starts = np.zeros((3, 3))
        roi_starts[0, :] = [250, 245, 0]
        roi_starts[1, :] = [250, 315, 0]
        roi_starts[2, :] = [340, 260, 0]
        roi_extents = np.zeros((3, 3))
        roi_extents[0, :] = [30, 45, 3]
        roi_extents[1, :] = [30, 40, 3]
        roi_extents[2, :] = [25, 65, 3]
        # create the positions DataArray
        positions = block.create_data_array("ROI positions", "nix.positions", data=roi_starts)
        positions.append_set_dimension()  # these can be empty
        positions.append_set_dimension(["height", "width", "color"])
        # create the extents DataArray
        extents = block.create_data_array("ROI extents", "nix.extents", data=roi_extents)
        extents.append_set_dimension()
        extents.append_set_dimension(["height", "width", "color"])
        # create the MultiTag
        multi_tag = block.create_multi_tag("Regions of interest", "nix.roi", positions)
        multi_tag.extents = extents
        multi_tag.references.append(data)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        block = file.blocks["block name"]
        tag = block.multi_tags["Regions of interest"]
        image = block.data_arrays["test picture"]
        positions, extents = tag.positions[:], tag.extents[:]

        fig = plt.figure(figsize=(10, 4.5))
        ax_img = fig.add_subplot(1, 2, 1)
        ax_img.imshow(image[:])
        ax_img.set_title(image.name)
        position_count = tag.positions.shape[0]
        for p in range(position_count):
            roi_data = tag.retrieve_data(p, 0)[:]
            (y, x, _), (h, w, _) = positions[p], extents[p]
            ax_img.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor="red", linewidth=2))
            ax_img.text(x, y - 4, f"ROI {p}", color="red")
            ax = fig.add_subplot(position_count, 2, 2 * p + 2)
            ax.imshow(roi_data)
            ax.set_title(f"ROI {p}: {roi_data.shape[0]} x {roi_data.shape[1]} px", fontsize=9)
            ax.axis("off")
        fig.tight_layout()
        fig.savefig("multiple_rois.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
