"""Storage backends. The HDF5 backend (:mod:`nixkit.storage.hdf5`) writes the NIX 1.2.1 layout."""
