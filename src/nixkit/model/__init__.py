"""The NIX data model; storage-agnostic apart from the node protocol of :mod:`nixkit.storage`."""
