"""Creation settings that keep small NIX objects small on disk.

HDF5's defaults are sized for a few big datasets, while a NIX file holds thousands of
small ones. Two defaults cost most of the space in a metadata-heavy file:

- every chunked dataset gets a chunk B-tree node of ``2 * istore_k`` entries (default
  ``istore_k`` 32, so ~2 KB) even when it holds one chunk; properties and small
  DataArrays must stay chunked and resizable so that nixio can change their length;
- a group that tracks link creation order, as every NIX group does, moves its links to
  dense storage (a fractal heap plus two B-trees, several KB) at the ninth link; the
  ``properties`` group of a section with ten properties is such a group.

``istore_k`` 4 and compact storage up to 16 links shrink 1,000 sections x 10 properties
from 30 MB to 10 MB (plain contiguous datasets: 9.4 MB). ``istore_k`` 2 would save 0.6 MB
more but made a one-million-chunk dataset write 30% and slice-read 80% slower; with 4 the
cost there is ~10% and ~20%; a 400 MB array written in one go takes 0.02% more (its
~1,000 chunks need more, smaller B-tree nodes). Both settings are part of the HDF5 1.8
file format (the B-tree K values are stored in the superblock, or in its extension for
version 2 and later superblocks; the link thresholds in the group info message), and
every reader, nixio included, honours them.

h5py offers neither setter, so they are called in the HDF5 library that h5py itself
loaded, found through ctypes. If that library cannot be found, or does not answer for
h5py's own property lists, files are written with HDF5's defaults: bigger, never wrong.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
from functools import cache

import h5py
from h5py import h5p

ISTORE_K = 4
MAX_COMPACT_LINKS = 16
MIN_DENSE_LINKS = 12

_HID = ctypes.c_int64


@cache
def hdf5_library() -> ctypes.PyDLL | None:
    """The HDF5 C library h5py runs on, or ``None`` if it cannot be reached safely."""
    for path in _candidates():
        try:
            # PyDLL keeps the GIL during each call, so no h5py call from another thread
            # runs inside HDF5 (not thread-safe in h5py's builds) at the same time.
            lib = ctypes.PyDLL(path)
        except OSError:
            continue
        if _answers_for_h5py(lib):
            return lib
    return None


def _candidates() -> list[str]:
    """Paths of the HDF5 library: the mapped one first (Linux), then h5py's bundled copy."""
    found: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rsplit(" ", 1)[-1].strip()
                base = os.path.basename(path)
                if base.startswith("libhdf5") and not base.startswith("libhdf5_hl") and path not in found:
                    found.append(path)
    except OSError:
        pass
    here = os.path.dirname(h5py.__file__)
    patterns = [
        os.path.join(here, os.pardir, "h5py.libs", "libhdf5-*.so*"),
        os.path.join(here, ".dylibs", "libhdf5*.dylib"),
    ]
    if sys.platform == "win32":
        patterns.append(os.path.join(here, "hdf5.dll"))
    for pattern in patterns:
        found.extend(p for p in sorted(glob.glob(pattern)) if "hdf5_hl" not in os.path.basename(p))
    return found


def _answers_for_h5py(lib: ctypes.PyDLL) -> bool:
    """Whether ``lib`` is the very library instance h5py uses.

    A second copy of HDF5 in the process would not know h5py's identifiers; passing
    them to it must never happen, so the probe reads back a setting h5py made.
    """
    try:
        lib.H5Iis_valid.argtypes = [_HID]
        lib.H5Pget_link_creation_order.argtypes = [_HID, ctypes.POINTER(ctypes.c_uint)]
        lib.H5Pset_istore_k.argtypes = [_HID, ctypes.c_uint]
        lib.H5Pset_link_phase_change.argtypes = [_HID, ctypes.c_uint, ctypes.c_uint]
    except AttributeError:
        return False
    probe = h5p.create(h5p.GROUP_CREATE)
    probe.set_link_creation_order(h5p.CRT_ORDER_TRACKED)
    if lib.H5Iis_valid(probe.id) <= 0:
        return False
    flags = ctypes.c_uint(0)
    answered = lib.H5Pget_link_creation_order(probe.id, ctypes.byref(flags)) >= 0
    return bool(answered and flags.value == h5p.CRT_ORDER_TRACKED)


def compact_links(plist: h5p.PropGCID) -> bool:
    """Keep groups created with ``plist`` in compact link storage up to 16 links.

    Parameters
    ----------
    plist : h5py.h5p.PropGCID
        Group (or file) creation properties to change.

    Returns
    -------
    bool
        Whether the setting was applied (False when the HDF5 library was not reached).
    """
    lib = hdf5_library()
    return lib is not None and lib.H5Pset_link_phase_change(plist.id, MAX_COMPACT_LINKS, MIN_DENSE_LINKS) >= 0


def compact_file(fcpl: h5p.PropFCID) -> bool:
    """Small chunk B-tree nodes and compact links for a file created with ``fcpl``.

    Parameters
    ----------
    fcpl : h5py.h5p.PropFCID
        File creation properties to change.

    Returns
    -------
    bool
        Whether both settings were applied (False when the HDF5 library was not reached).
    """
    lib = hdf5_library()
    return lib is not None and lib.H5Pset_istore_k(fcpl.id, ISTORE_K) >= 0 and compact_links(fcpl)
