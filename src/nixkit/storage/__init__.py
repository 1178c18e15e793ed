"""Storage: the NIX 1.2.1 layout in HDF5, and the only package of nixkit that imports h5py.

The model sees two node kinds, :class:`~nixkit.storage.group.GroupNode` and
:class:`~nixkit.storage.dataset.DatasetNode`: thin, slot-only wrappers whose calls map to one
or two HDF5 calls, so the cost of a NIX operation stays close to the raw HDF5 work it needs.

- :mod:`~nixkit.storage.file_handle` opens files (:class:`~nixkit.storage.file_handle.FileHandle`)
- :mod:`~nixkit.storage.group` and :mod:`~nixkit.storage.dataset` hold the two node kinds
- :mod:`~nixkit.storage.attrs` attribute reads and writes shared by both
- :mod:`~nixkit.storage.dtypes` string types and cached memory types
- :mod:`~nixkit.storage.errors` HDF5 failures and malformed values as nixkit errors
- :mod:`~nixkit.storage.durability` what keeps a killed writer's file readable
- :mod:`~nixkit.storage.superblock` reads the superblock and claims the tail a killed flush left
- :mod:`~nixkit.storage.swmr` following a file a SWMR writer appends to
- :mod:`~nixkit.storage.copy` copying trees between groups and files
- :mod:`~nixkit.storage.compact` and :mod:`~nixkit.storage.heap` work around HDF5 library limits
"""
