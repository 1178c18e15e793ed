#!/usr/bin/env python
"""Image data: an RGB picture as a 3-D DataArray with two SampledDimensions (height and
width) and a SetDimension of colour channels (tutorial section "Image data").

The tutorial used the "Lenna" photograph; this example makes a test picture with numpy,
so it needs no download and no image library.

Writes image_example.nix and image_example.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "image_example.nix"


def make_image(height: int = 240, width: int = 320) -> np.ndarray:
    """Colour gradients with a few inverted discs, as 8-bit RGB."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([x / width, y / height, 0.5 + 0.5 * np.sin(x / 11.0) * np.cos(y / 13.0)], axis=-1)
    for cy, cx, r in ((70, 90, 40), (150, 220, 55), (190, 60, 25)):
        disc = (y - cy) ** 2 + (x - cx) ** 2 < r**2
        img[disc] = 1.0 - img[disc]
    return np.round(img * 255).astype(np.uint8)


def main() -> None:
    img_data = make_image()
    channels = ["red", "green", "blue"]

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("image dataset", "nix.session")
        data = block.create_data_array("test picture", "nix.image.rgb", data=img_data)
        # add descriptors for height, width and channels
        height_dim = data.append_sampled_dimension(1)
        height_dim.label = "height"
        width_dim = data.append_sampled_dimension(1)
        width_dim.label = "width"
        color_dim = data.append_set_dimension()
        color_dim.labels = channels

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        data = file.blocks["image dataset"].data_arrays["test picture"]
        height_dim, width_dim, color_dim = data.dimensions
        fig, ax = plt.subplots(figsize=(6, 4.5))
        ax.imshow(data[:])
        ax.set_xlabel(width_dim.label)
        ax.set_ylabel(height_dim.label)
        ax.set_title(f"{data.name} ({', '.join(color_dim.labels)})")
        fig.savefig("image_example.png", dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main()
