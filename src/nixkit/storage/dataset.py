"""Dataset nodes: stored n-d arrays, with streaming appends that grow their chunks."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import h5py
import numpy as np
from h5py import h5d, h5f, h5i, h5o, h5s, h5t

from nixkit.storage.attrs import AttrMixin, copy_attrs, wrong_kind
from nixkit.storage.dtypes import is_string_dtype, memory_type
from nixkit.storage.durability import remove_link, settle, settle_soon
from nixkit.storage.errors import guarded, path_of, storable
from nixkit.storage.journal import journals
from nixkit.storage.swmr import fresh

# Appends re-create a dataset whose chunks are small for streaming with chunks that grow
# geometrically along the appended axis up to this size; only while the data is small,
# so the copy stays cheap and a small array never gets a chunk much bigger than itself.
STREAM_CHUNK_BYTES = 1 << 18
# Below this size an array keeps the chunks it has: re-creating it would cost more file
# space (a new object header) than its few chunks do.
_STREAM_MIN_BYTES = 1 << 14


def _this(node: Any, args: tuple[Any, ...]) -> str:
    return path_of(node)


def _member(node: Any, args: tuple[Any, ...]) -> str:
    return f"column {args[0]!r} of {path_of(node)}" if args else path_of(node)


class DatasetNode(AttrMixin):
    """A stored n-d array."""

    __slots__ = ("_h", "_settled", "_str")

    def __getattr__(self, name: str) -> Any:
        return _not_a_group(self, name)

    def __contains__(self, name: str) -> bool:
        return bool(_not_a_group(self, "names"))

    def __len__(self) -> int:
        return int(_not_a_group(self, "names"))

    def __init__(self, handle: h5py.Dataset) -> None:
        self._h = handle
        self._str: bool | None = None
        # True once appends can no longer re-chunk this dataset (see _stream_chunk).
        self._settled = False

    def follow(self) -> DatasetNode:
        """This node, refreshed first if it is read while a SWMR writer appends."""
        fresh(self._h)
        return self

    @property
    @guarded
    def shape(self) -> tuple[int, ...]:
        """Current extent."""
        return tuple(self._h.shape)

    @property
    @guarded
    def dtype(self) -> np.dtype[Any]:
        """Stored element type."""
        return self._h.dtype

    @property
    def chunks(self) -> tuple[int, ...] | None:
        """Chunk shape, or None for contiguous storage."""
        return self._h.chunks

    @property
    def maxshape(self) -> tuple[int | None, ...]:
        """Maximum extent per axis (None: unlimited)."""
        return tuple(self._h.maxshape)

    @property
    def compression(self) -> str | None:
        """Name of the compression filter, if any."""
        return self._h.compression

    @property
    @guarded
    def is_string(self) -> bool:
        """Whether the elements are strings."""
        if self._str is None:
            self._str = is_string_dtype(self._h.dtype)
        return self._str

    @guarded
    def read(self, index: Any = ()) -> Any:
        """Read ``index`` (h5py selection rules); strings come back as ``str`` objects."""
        h = self._h
        if self.is_string:
            # Damaged text must still read: undecodable bytes become U+FFFD, as in attributes.
            return h.asstr(errors="replace")[index]
        return h[index]

    @storable(_this)
    def write(self, index: Any, value: Any) -> None:
        """Write ``value`` into selection ``index``."""
        self._h[index] = value

    @guarded
    def read_direct(self, dest: np.ndarray[Any, Any], source_sel: Any = None) -> None:
        """Read straight into ``dest`` without an intermediate copy."""
        self._h.read_direct(dest, source_sel)

    @storable(_this)
    def write_direct(self, source: np.ndarray[Any, Any], dest_sel: Any = None) -> None:
        """Write ``source`` straight from its buffer."""
        self._h.write_direct(source, dest_sel=dest_sel)

    @storable(_member)
    def write_field(self, field: str, values: np.ndarray[Any, Any], start: int = 0) -> None:
        """Write ``values`` into member ``field`` of rows ``start:start + len(values)``.

        For a 1-D dataset of a compound type: the memory type holds that one member, so
        HDF5 leaves the other members of the rows as they are and nothing else passes
        through Python. h5py's ``dset[sel, field] = values`` cannot do this for text members.
        """
        h = self._h
        member = np.dtype([(field, h.dtype.fields[field][0])])
        buf = np.empty(len(values), dtype=member)
        buf[field] = values
        fspace = h.id.get_space()
        fspace.select_hyperslab((start,), (len(values),))
        # Not the logical type: text members go through h5py's Python-object conversion.
        h.id.write(h5s.create_simple((len(values),)), fspace, buf, h5t.py_create(member))

    @storable(_this)
    def append(self, values: np.ndarray[Any, Any], axis: int, shape: tuple[int, ...] | None = None) -> DatasetNode:
        """Append ``values`` (same dtype and rank, same extent off ``axis``) along ``axis``.

        A numeric dataset whose chunks are small along ``axis`` (HDF5 derives them from the
        first, often tiny, write) is re-created with its chunk length doubled as often as fits
        :data:`STREAM_CHUNK_BYTES` and 1/16 of the data, so a stream of appends ends up in
        large chunks that read back fast. ``shape`` is the current extent, if the caller has
        it at hand.
        Returns the node that holds the data afterwards. Values HDF5 cannot convert raise a
        nixkit error (see :func:`storable`) and leave the extent as it was.
        """
        node = self
        h = self._h
        if shape is None:
            shape = h.shape
        start = shape[axis]
        total = start + values.shape[axis]
        chunk = self._stream_chunk(axis, total)
        if chunk is not None:
            node = self._rechunked(chunk)
            h = node._h
        new_shape = list(shape)
        new_shape[axis] = total
        dsid = h.id
        dsid.set_extent(tuple(new_shape))
        if values.size == 0:
            return node
        if values.dtype == h.dtype and not node.is_string and values.flags.c_contiguous:
            offset = [0] * len(shape)
            offset[axis] = start
            fspace = dsid.get_space()
            fspace.select_hyperslab(tuple(offset), values.shape)
            dsid.write(h5s.create_simple(values.shape), fspace, values, memory_type(values.dtype))
        else:
            try:
                h[tuple(slice(start, None) if i == axis else slice(None) for i in range(len(shape)))] = values
            except (UnicodeEncodeError, TypeError):
                dsid.set_extent(tuple(shape))  # found only while converting: drop the rows just added
                raise
        return node

    def _stream_chunk(self, axis: int, total: int) -> tuple[int, ...] | None:
        """Chunk shape to re-create with before growing to ``total`` along ``axis``, or None."""
        if self._settled:
            return None
        h = self._h
        chunks = h.chunks
        if not chunks or self.is_string or h.dtype.kind not in "biufc":
            self._settled = True
            return None
        row = h.dtype.itemsize * math.prod(c for i, c in enumerate(chunks) if i != axis)
        limit = max(1, STREAM_CHUNK_BYTES // row)
        current = chunks[axis]
        if current >= limit or total * row > 32 * STREAM_CHUNK_BYTES:
            # Big enough, or too big to copy cheaply: appends just extend it from now on.
            self._settled = True
            return None
        # Chunks of at most 1/16 of the data keep the unfilled end of the last chunk small.
        # Grown by doubling the current length, so the freed old chunks are whole multiples
        # of the new ones and later appends can fill that space completely.
        grown_len = current
        while 2 * grown_len <= min(limit, total // 16):
            grown_len *= 2
        if grown_len < 2 * current or total * row < _STREAM_MIN_BYTES:
            return None
        fid = h5i.get_file_id(h.id)
        if fid.get_intent() & h5f.ACC_SWMR_WRITE or h5o.get_info(h.id).rc != 1:
            # SWMR writers may not create datasets; other hard links would keep the old one.
            self._settled = True
            return None
        grown = list(chunks)
        grown[axis] = grown_len
        return tuple(grown)

    def _rechunked(self, chunks: tuple[int, ...]) -> DatasetNode:
        """Replace this dataset by a copy with ``chunks`` (same type, filters, attributes, link)."""
        h = self._h
        parent = h.parent
        name = h.name.rsplit("/", 1)[-1]
        dcpl = h.id.get_create_plist()
        dcpl.set_chunk(chunks)
        temp = f"{name}.rechunking"
        if temp in parent:
            remove_link(parent, temp)  # left by a failed re-chunk of an older nixkit
        new = h5py.Dataset(h5d.create(parent.id, temp.encode(), h.id.get_type(), h.id.get_space(), dcpl=dcpl))
        try:
            data = None
            if h.size:
                data = np.empty(h.shape, dtype=h.dtype)
                h.read_direct(data)
            copy_attrs(self, DatasetNode(new))
        except BaseException:
            remove_link(parent, temp)  # the old dataset is untouched and stays in use
            raise
        key = h5f.get_name(new.id)
        journal = journals.get(key)
        if journal is None:
            # Without a journal the structure on disk must keep finding the old copy until
            # the next flush: the next checkpoint flushes and frees it (see
            # durability.retire) while the stream is young, so the appends that follow
            # reuse its space. A flush inside this append let killed writers lose flushed data.
            try:
                if data is not None:
                    new.write_direct(data)
            except BaseException:
                remove_link(parent, temp)  # the old dataset is untouched and stays in use
                raise
            remove_link(parent, name)
            settle_soon.add(key)
            parent.move(temp, name)
            return DatasetNode(new)
        # The undo journal restores whatever the new chunks overwrite, should the writer die
        # before the next flush: the old copy goes first, and the new chunks take its space.
        del parent[name]
        h.id.close()
        parent.move(temp, name)
        try:
            if data is not None:
                new.write_direct(data)
        except BaseException:
            # The data now lives only in memory and in the file as of the last flush: keep
            # that flush as the file's state (the next open rolls back to it).
            journal.poisoned = True
            raise
        return DatasetNode(new)

    def resize(self, shape: tuple[int, ...]) -> None:
        """Change the extent (the dataset must be chunked).

        A shrink is flushed at once: HDF5 frees the chunks it cuts off immediately (a held
        handle cannot keep them), and new raw data written into their space before the
        next flush would land in chunks the structure on disk still lists.
        """
        shrinks = any(new < old for new, old in zip(shape, self._h.shape, strict=False))
        self._h.resize(shape)
        if shrinks:
            settle(self._h.id)

    @guarded
    def stored_pieces(self) -> list[tuple[tuple[int, ...], int, int]]:
        """Where the elements lie in the file: ``(first index, file address, bytes)`` per piece.

        A chunked dataset has one piece per written chunk, contiguous storage one piece
        from index 0; elements never written, or kept inside the object header (compact
        layout), have none. Addresses are file offsets, as HDF5 reports them for raw data:
        unlike object addresses they include the user block, if the file has one.
        """
        dsid = self._h.id
        if self._h.chunks is None:
            offset = dsid.get_offset()
            if offset is None:
                return []
            return [((0,) * self._h.ndim, int(offset), int(dsid.get_storage_size()))]
        pieces: list[tuple[tuple[int, ...], int, int]] = []

        def collect(info: Any) -> None:
            pieces.append((tuple(info.chunk_offset), int(info.byte_offset), int(info.size)))

        dsid.chunk_iter(collect)
        return pieces

    def region_reader(self) -> Callable[[Sequence[int], Sequence[int]], np.ndarray[Any, Any]]:
        """A function ``read(start, stop)`` returning the box ``start:stop`` per axis.

        The reader keeps the dataset's id, type and file space, so each box costs one
        low-level hyperslab read: about a third of what h5py's slicing costs per box in a
        writable file. In a read-only file h5py keeps its compiled slice reader, which
        is cheaper still, so the boxes are plain slices there.
        """
        h = self._h
        dtype = h.dtype
        if h.ndim == 0 or dtype.kind not in "biufc":
            # Strings and compound rows need h5py's type conversion.
            return lambda first, end: self.read(tuple(slice(a, b) for a, b in zip(first, end, strict=True)))
        if h.file.mode == "r":
            return lambda first, end: h[tuple(map(slice, first, end))]
        dsid = h.id
        fspace = dsid.get_space()
        mtype = memory_type(dtype)
        spaces: dict[tuple[int, ...], Any] = {}

        def read(first: Sequence[int], end: Sequence[int]) -> np.ndarray[Any, Any]:
            count = tuple(b - a for a, b in zip(first, end, strict=True))
            buf = np.empty(count, dtype=dtype)
            if buf.size:
                mspace = spaces.get(count)
                if mspace is None:
                    mspace = spaces[count] = h5s.create_simple(count)
                fspace.select_hyperslab(tuple(first), count)
                dsid.read(mspace, fspace, buf, mtype)
            return buf

        return read


def _not_a_group(node: DatasetNode, name: str) -> Any:
    # Imported here: the group module imports this one.
    from nixkit.storage.group import GROUP_API

    return wrong_kind(node, name, GROUP_API, "dataset")


def bitfield_members(ds: DatasetNode) -> list[str]:
    """Members of the dataset's compound type stored as HDF5 bitfields (``[""]``: the type itself)."""
    tid = ds._h.id.get_type()
    if tid.get_class() == h5t.BITFIELD:
        return [""]
    if tid.get_class() != h5t.COMPOUND:
        return []
    return [
        tid.get_member_name(i).decode() for i in range(tid.get_nmembers()) if tid.get_member_class(i) == h5t.BITFIELD
    ]
