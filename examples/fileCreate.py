#!/usr/bin/env python
"""Creating a NIX file and re-opening it in each mode (tutorial: "Working with Files").

Writes file_create_example.nix and file_create_example.png (a table of what each mode
allowed) into the current directory.
"""

import matplotlib.pyplot as plt

import nixkit as nix

FILE_NAME = "file_create_example.nix"


def main() -> None:
    outcomes = []

    # create a new file, overwriting any existing content
    file = nix.File.open(FILE_NAME, nix.FileMode.Overwrite)
    print(file.format, file.version, file.created_at)
    outcomes.append(("Overwrite", "new empty file", f"format {file.format} {'.'.join(map(str, file.version))}"))
    file.close()

    # re-open for read-only access: changes are refused before anything is written
    file = nix.File.open(FILE_NAME, nix.FileMode.ReadOnly)
    try:
        file.create_block("test block", "test")
    except nix.exceptions.ReadOnlyError as error:
        print("as expected:", error)
        outcomes.append(("ReadOnly", "create_block refused", f"{len(file.blocks)} blocks"))
    file.close()

    # re-open for read-write access: now the block can be created
    file = nix.File.open(FILE_NAME, nix.FileMode.ReadWrite)
    file.create_block("test block", "test")
    outcomes.append(("ReadWrite", "create_block worked", f"{len(file.blocks)} block"))
    file.close()

    # a missing file cannot be opened read-only
    try:
        nix.File.open("no_such_file.nix", nix.FileMode.ReadOnly)
    except FileNotFoundError as error:
        print("as expected:", error)
        outcomes.append(("ReadOnly (missing file)", "FileNotFoundError", "nothing created"))

    fig, ax = plt.subplots(figsize=(7, 2.2))
    ax.axis("off")
    table = ax.table(cellText=outcomes, colLabels=["mode", "what happened", "file afterwards"], loc="center")
    table.scale(1, 1.6)
    ax.set_title(f"opening {FILE_NAME} in each mode")
    fig.savefig("file_create_example.png", dpi=100, bbox_inches="tight")
    plt.close(fig)


if __name__ == "__main__":
    main()
