"""Drop-in: the names, import paths and method signatures nixio users write exist in nixkit."""

from __future__ import annotations

import importlib
import inspect

import pytest

import nixkit

nixio = pytest.importorskip("nixio")

# nixio's internal constructor hook, public by name only.
INTERNAL = {"create_new"}

# Names nixio exports that nixkit deliberately keeps under the same name.
CLASS_NAMES = [
    "File",
    "Block",
    "Group",
    "DataArray",
    "DataFrame",
    "Tag",
    "MultiTag",
    "Source",
    "Section",
    "Feature",
    "Property",
    "SampledDimension",
    "RangeDimension",
    "SetDimension",
]


def test_top_level_names() -> None:
    missing = [name for name in nixio.__all__ if not hasattr(nixkit, name)]
    assert missing == []
    assert isinstance(nixkit.__version__, str)


def test_exception_names_and_paths() -> None:
    from nixio.exceptions import exceptions as nixio_exc

    ours = importlib.import_module("nixkit.exceptions.exceptions")
    names = [n for n, obj in vars(nixio_exc).items() if isinstance(obj, type) and issubclass(obj, Exception)]
    assert names
    for name in names:
        assert hasattr(ours, name), name
        assert hasattr(nixkit.exceptions, name), name
        assert issubclass(getattr(ours, name), nixkit.exceptions.NixError)
    # Where nixio used a builtin base, ours inherits it too.
    for name in names:
        base = getattr(nixio_exc, name).__mro__[1]
        assert issubclass(getattr(ours, name), base), name


def test_module_paths_used_by_nixio_scripts() -> None:
    from nixkit.data_array import DataSliceMode
    from nixkit.dimensions import SliceMode
    from nixkit.file import FILE_FORMAT, HDF_FF_VERSION
    from nixkit.util import names, units

    assert (FILE_FORMAT, HDF_FF_VERSION) == (nixio.file.FILE_FORMAT, nixio.file.HDF_FF_VERSION)
    assert {m.name for m in SliceMode} == {m.name for m in nixio.SliceMode}
    assert {m.name for m in DataSliceMode} == {m.name for m in nixio.DataSliceMode}
    assert names.sanitizer("a/b") == "a_b"
    assert units.sanitizer("µ V") == "uV"


ENUMS = ["DimensionType", "LinkType", "Compression", "OdmlType", "SliceMode", "IndexMode"]


@pytest.mark.parametrize("enum_name", ENUMS)
def test_enum_values_match(enum_name: str) -> None:
    theirs = {m.name: m.value for m in getattr(nixio, enum_name)}
    ours = {m.name: m.value for m in getattr(nixkit, enum_name)}
    assert ours == theirs


def test_constant_holders_match() -> None:
    for holder in ("FileMode", "DataType"):
        theirs = {
            k: v
            for k, v in vars(getattr(nixio, holder)).items()
            if not k.startswith("_") and not callable(v) and not isinstance(v, (classmethod, staticmethod))
        }
        for key, value in theirs.items():
            assert getattr(getattr(nixkit, holder), key) == value, (holder, key)


def _public_members(cls: type) -> dict[str, object]:
    out = {}
    for klass in cls.__mro__:
        if klass is object:
            continue
        for name, member in vars(klass).items():
            if not name.startswith("_") and name not in out and name not in INTERNAL:
                out[name] = member
    return out


@pytest.mark.parametrize("class_name", CLASS_NAMES)
def test_members_and_signatures(class_name: str) -> None:
    theirs = _public_members(getattr(nixio, class_name))
    ours_cls = getattr(nixkit, class_name)
    problems = []
    for name, member in theirs.items():
        if not hasattr(ours_cls, name):
            problems.append(f"missing {class_name}.{name}")
            continue
        if inspect.isfunction(member):
            ours = inspect.getattr_static(ours_cls, name)
            ours_func = ours.__func__ if isinstance(ours, (classmethod, staticmethod)) else ours
            if not callable(ours_func):
                problems.append(f"{class_name}.{name} is not callable")
                continue
            want = [
                p.name
                for p in inspect.signature(member).parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            have = [p for p in inspect.signature(ours_func).parameters if p != "self"]
            if have[: len(want)] != want:
                problems.append(f"{class_name}.{name}{tuple(have)} != nixio {tuple(want)}")
    assert problems == []
