"""Validation of a whole NIX file: every rule nixio checks, and the ones it misses.

:func:`validate_file` (called by :meth:`nixkit.File.validate`) walks the file and returns a
:class:`Report`. The report is the dict nixio returns, ``{"errors": {entity: [message]},
"warnings": {entity: [message]}}``, so nixio code keeps working; it also lists every
finding as an :class:`Issue` naming the entity (class, name, id and HDF5 path), the rule
and the message, and prints itself as text or JSON.

Rules beyond nixio's (their rule names):

- ``DanglingLink``: a reference (``references``, ``sources``, group members, ``metadata``,
  feature ``data``, multi-tag ``positions``/``extents``, section ``link``, dimension
  ``link``) that points to nothing or to an object that is not where its kind lives.
- ``NameMismatch``: the ``name`` attribute differs from the name the entity is stored under.
- ``InvalidID`` and ``InvalidDate``: an id that is not a UUID; a date that cannot be read.
- ``NoData``: a DataArray or DataFrame without its ``data`` dataset.
- ``InvalidDimensionType`` and ``InvalidDimensionLink``: unreadable dimension descriptors.
- ``UnparsableUnit``: a unit string that is neither SI nor a unit ``pint`` knows.
- ``InvalidLinkType``: a feature ``link_type`` that is not tagged, untagged or indexed.
- ``UnitsColumnsMismatch``: a DataFrame with a different number of units than columns.
- ``Unreadable``: a part of the file that cannot be read at all (the message says why).

DataFrames are validated too (nixio skips them). Dimension counts, set-label counts and
tick counts are compared with the data shape as it is now, so arrays that grew by
appends are checked against their new length.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache, partial
from typing import Any

from nixkit.exceptions import CorruptFile
from nixkit.model.entity import is_uuid
from nixkit.util.time import str_to_time
from nixkit.validator import Finding, findings_of

__all__ = ["Issue", "Report", "validate_file"]

_DIMENSION_TYPES = ("sample", "range", "set", "data_frame")  # data_frame: C++ NIX 1.2.0


@dataclass(frozen=True)
class Issue:
    """One finding: which entity breaks which rule, and how.

    Attributes
    ----------
    severity : str
        ``"error"`` (the file breaks a NIX rule) or ``"warning"`` (it is legal but suspect).
    rule : str
        Name of the rule, e.g. ``"DimensionMismatch"``; nixio's rules keep nixio's names.
    message : str
        What is wrong, in nixio's words for nixio's rules.
    path : str
        HDF5 path of the entity, e.g. ``"/data/session/data_arrays/voltage"``.
    kind : str
        Class of the entity (``"DataArray"``, ``"Section"`` ... or ``"File"``).
    name : str or None
        Name of the entity, when it has one.
    id : str or None
        Id of the entity, when it has one.
    """

    severity: str
    rule: str
    message: str
    path: str
    kind: str
    name: str | None = None
    id: str | None = None

    def __str__(self) -> str:
        who = f"{self.kind} {self.name!r}" if self.name else self.kind
        return f"{self.severity}: {who} at {self.path}: {self.message} [{self.rule}]"


class Report(dict[str, dict[Any, list[str]]]):
    """The result of :func:`validate_file`.

    As a dict it is what nixio's validator returns: ``report["errors"]`` and
    ``report["warnings"]`` map each entity that has findings to its messages.

    Attributes
    ----------
    issues : list of Issue
        Every finding, in the order the file was walked.
    filename : str
        The file that was validated.
    """

    def __init__(self, filename: str = "") -> None:
        super().__init__(errors={}, warnings={})
        self.issues: list[Issue] = []
        self.filename = filename

    def add(self, key: Any, issue: Issue) -> None:
        """Record ``issue`` about the entity ``key`` (the dict key nixio would use)."""
        self.issues.append(issue)
        self["errors" if issue.severity == "error" else "warnings"].setdefault(key, []).append(issue.message)

    @property
    def ok(self) -> bool:
        """Whether the file breaks no rule (warnings are allowed)."""
        return not any(i.severity == "error" for i in self.issues)

    @property
    def error_count(self) -> int:
        """Number of error findings."""
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warning_count(self) -> int:
        """Number of warning findings."""
        return sum(i.severity == "warning" for i in self.issues)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): the file, counts, ``ok`` and every issue as a dict."""
        return {
            "file": self.filename,
            "ok": self.ok,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "issues": [asdict(i) for i in self.issues],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The :meth:`to_dict` content as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_text(self) -> str:
        """A human-readable summary: one line per finding, errors first."""
        head = f"{self.filename}: {self.error_count} error(s), {self.warning_count} warning(s)"
        if not self.issues:
            return head + "\n  the file follows every NIX rule checked"
        ordered = sorted(self.issues, key=lambda i: i.severity != "error")
        return "\n".join([head, *(f"  {i}" for i in ordered)])


def validate_file(file: Any) -> Report:
    """Check an open NIX file against the NIX rules.

    Parameters
    ----------
    file : nixkit.File
        An open file (read-only is enough).

    Returns
    -------
    Report
        Every finding. A part of the file that cannot be read at all is itself a finding
        (rule ``Unreadable``); validation never stops at the first problem.
    """
    walker = _Walker(file)
    walker.run()
    return walker.report


def _describe(obj: Any) -> tuple[str, str | None, str | None]:
    kind = type(obj).__name__
    try:
        name = str(obj._node.get_attr("name") or "") or None
        eid = str(obj._node.get_attr("entity_id") or "") or None
    except Exception:  # a damaged header must not stop the report
        name, eid = None, None
    return kind, name, eid


@lru_cache(maxsize=1)
def _pint_registry() -> Any:
    import pint

    return pint.UnitRegistry()


@lru_cache(maxsize=4096)
def _parsable(unit: str) -> bool:
    from nixkit.util import units

    if units.is_si(unit):
        return True
    try:
        _pint_registry().Unit(unit)
    except Exception:  # pint raises many kinds of errors for bad strings
        return False
    return True


class _Walker:
    """One validation run: walks the file once and fills a :class:`Report`."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.report = Report(str(file.filename))
        self.sections: set[int] = set()
        # Trees are walked once per object: a link cycle in a damaged file must not recurse forever.
        self.visited: set[int] = set()

    # -- recording -------------------------------------------------------------------
    def add(self, obj: Any, finding: Finding) -> None:
        kind, name, eid = _describe(obj) if hasattr(obj, "_node") else ("File", None, None)
        where = obj._node.path if hasattr(obj, "_node") else "/"
        self.report.add(obj, Issue(finding.severity, finding.rule, finding.message, where, kind, name, eid))

    def error(self, obj: Any, rule: str, message: str) -> None:
        self.add(obj, Finding("error", rule, message))

    def guard(self, obj: Any, check: Callable[[], Any]) -> None:
        """Run ``check``; an exception becomes an ``Unreadable`` finding on ``obj``."""
        try:
            check()
        except Exception as exc:  # any failure is a finding, never a crash
            self.error(obj, "Unreadable", f"cannot be read: {type(exc).__name__}: {exc}")

    def nixio_rules(self, obj: Any) -> None:
        for finding in findings_of(obj):
            self.add(obj, finding)

    def each(self, owner: Any, items: Callable[[], Iterable[Any]], visit: Callable[[Any], None]) -> None:
        """Visit every item of a container; a failing item or container becomes a finding."""
        try:
            listed = list(items())
        except Exception as exc:
            self.error(owner, "Unreadable", f"its children cannot be listed: {type(exc).__name__}: {exc}")
            return
        for item in listed:
            self.guard(item, partial(visit, item))

    # -- the walk -----------------------------------------------------------------------
    def run(self) -> None:
        f = self.file
        self.guard(f, lambda: self.nixio_rules(f))
        self.guard(f, self.collect_sections)
        self.each(f, lambda: f.blocks, self.block)
        self.each(f, lambda: f.sections, self.section)

    def collect_sections(self) -> None:
        stack = [self.file._node.get_group("metadata")]
        while stack:
            group = stack.pop()
            if group is None:
                continue
            for key in group.names():
                sub = group.get_group(key)
                if sub is not None and sub.address not in self.sections:
                    self.sections.add(sub.address)
                    stack.append(sub.get_group("sections"))

    def entity(self, obj: Any) -> None:
        """Header rules nixio does not check: name, id and date readable and consistent."""
        node = obj._node
        name = node.get_attr("name")
        if name is not None and str(name) != node.name:
            self.error(obj, "NameMismatch", f"name {name!r} differs from the name {node.name!r} it is stored under")
        self.identity(obj)
        self.dangling(obj, "metadata", self.sections, "Section of the file's metadata tree")

    def identity(self, obj: Any) -> None:
        node = obj._node
        eid = node.get_attr("entity_id")
        if eid and not is_uuid(eid):
            self.error(obj, "InvalidID", f"id {eid!r} is not a UUID")
        for key in ("created_at", "updated_at"):
            value = node.get_attr(key)
            if value:
                try:
                    str_to_time(value)
                except (ValueError, TypeError):
                    self.error(obj, "InvalidDate", f"{key} {value!r} is not a date of the form YYYYMMDDTHHMMSS")

    def dangling(self, obj: Any, link: str, home: set[int], what: str, node: Any = None) -> None:
        """A single reference named ``link`` (in ``node``, default: the entity's) must point into ``home``."""
        node = obj._node if node is None else node
        if link not in node:
            return
        address = node.link_address(link)
        if address is None or node.kind(link) is None:
            self.error(obj, "DanglingLink", f"{link!r} points to nothing")
        elif address not in home:
            self.error(obj, "DanglingLink", f"{link!r} points to an object that is not a {what}")

    def link_group(self, obj: Any, group_name: str, home: set[int], what: str) -> None:
        """Every link in ``obj/group_name`` must point into ``home``."""
        group = obj._node.get_group(group_name)
        if group is None:
            return
        for key in group.names():
            address = group.link_address(key)
            if address is None or group.kind(key) is None:
                self.error(obj, "DanglingLink", f"{group_name} link {key!r} points to nothing")
            elif address not in home:
                self.error(obj, "DanglingLink", f"{group_name} link {key!r} points to an object that is not a {what}")

    def unit(self, obj: Any, unit: str | None, where: str) -> None:
        if unit and not _parsable(unit):
            self.error(obj, "UnparsableUnit", f"{where} {unit!r} cannot be parsed (neither SI nor a known unit)")

    # -- block level -------------------------------------------------------------------
    def block(self, block: Any) -> None:
        self.nixio_rules(block)
        self.entity(block)
        homes = {name: _addresses(block._node.get_group(name)) for name in _BLOCK_CONTAINERS}
        homes["sources"] = _source_tree(block._node)
        ctx = _BlockContext(block, homes)
        self.each(block, lambda: block.groups, lambda g: self.group(g, ctx))
        self.each(block, lambda: block.data_arrays, lambda d: self.data_array(d, ctx))
        self.each(block, lambda: block.data_frames, self.data_frame)
        self.each(block, lambda: block.tags, lambda t: self.tag(t, ctx))
        self.each(block, lambda: block.multi_tags, lambda t: self.tag(t, ctx))
        self.each(block, lambda: block.sources, self.source)

    def group(self, group: Any, ctx: _BlockContext) -> None:
        self.nixio_rules(group)
        self.entity(group)
        for name in (*_BLOCK_CONTAINERS[:4], "sources"):
            self.link_group(group, name, ctx.homes[name], f"{_SINGULAR[name]} of block {ctx.name!r}")

    def first_visit(self, obj: Any) -> bool:
        address = obj._node.address
        if address in self.visited:
            return False
        self.visited.add(address)
        return True

    def source(self, source: Any) -> None:
        if not self.first_visit(source):
            return
        self.nixio_rules(source)
        self.entity(source)
        self.each(source, lambda: source.sources, self.source)

    def data_array(self, da: Any, ctx: _BlockContext) -> None:
        self.entity(da)
        self.link_group(da, "sources", ctx.homes["sources"], f"Source of block {ctx.name!r}")
        if da._node.get_dataset("data") is None:
            self.error(da, "NoData", "the data is missing (no 'data' dataset)")
            return
        self.unit(da, da.unit, "unit")
        if self.dimensions(da, ctx):
            self.nixio_rules(da)
        else:
            # Broken descriptors rule out nixio's dimension checks, not the basic ones.
            from nixkit.validator import entity_findings

            for finding in entity_findings(da):
                self.add(da, finding)

    def dimensions(self, da: Any, ctx: _BlockContext) -> bool:
        """Structural checks of the descriptors; False when they are too broken for nixio's rules."""
        group = da._node.get_group("dimensions")
        if group is None:
            return True
        sound = True
        names = group.names()
        numbers = sorted(int(n) for n in names if n.isdecimal())
        strays = sorted(n for n in names if not n.isdecimal() or int(n) < 1)
        if strays:
            self.error(da, "InvalidDimensionIndex", f"descriptors named {strays} are not dimension numbers (1, 2, ...)")
            sound = False
        # Up to the largest number present, so a gap hides no later descriptor.
        for i in range(1, max(numbers, default=0) + 1):
            node = group.get_group(str(i))
            if node is None:
                self.error(da, "InvalidDimensionIndex", f"dimension {i} is missing (descriptors: {sorted(names)})")
                sound = False
                continue
            kind = node.get_attr("dimension_type")
            if kind not in _DIMENSION_TYPES:
                self.error(da, "InvalidDimensionType", f"dimension {i} has the unknown dimension_type {kind!r}")
                sound = False
                continue
            unit = node.get_attr("unit")
            self.unit(da, unit if isinstance(unit, str) else None, f"unit of dimension {i}")
            if "link" in node:
                sound = self.dimension_link(da, i, node.get_group("link"), ctx) and sound
        return sound

    def dimension_link(self, da: Any, i: int, link: Any, ctx: _BlockContext) -> bool:
        if link is None:
            self.error(da, "InvalidDimensionLink", f"dimension {i}: 'link' is not a group")
            return False
        targets = link.names()
        if len(targets) != 1:
            self.error(da, "DanglingLink", f"dimension {i}: the link points to {len(targets)} objects instead of one")
            return False
        kind = link.get_attr("data_object_type", "DataArray")
        home = ctx.homes["data_frames" if kind == "DataFrame" else "data_arrays"]
        address = link.link_address(targets[0])
        if address is None or link.kind(targets[0]) is None or address not in home:
            self.error(da, "DanglingLink", f"dimension {i}: the link does not point to a {kind} of block {ctx.name!r}")
            return False
        return True

    def data_frame(self, df: Any) -> None:
        self.add_entity_rules(df)
        data = df._node.get_dataset("data")
        if data is None:
            self.error(df, "NoData", "the data is missing (no 'data' dataset)")
            return
        columns = data.dtype.names
        if not columns:
            self.error(df, "InvalidData", f"the data is not a table of named columns (dtype {data.dtype})")
            return
        units = df._node.get_attr("units")
        if units is not None:
            values = [units] if isinstance(units, str) else list(units)
            if len(values) != len(columns):
                self.error(
                    df,
                    "UnitsColumnsMismatch",
                    f"{len(values)} units are given for {len(columns)} columns",
                )
            for i, unit in enumerate(values):
                column = repr(columns[i]) if i < len(columns) else str(i)
                self.unit(df, unit if isinstance(unit, str) else None, f"unit of column {column}")

    def add_entity_rules(self, obj: Any) -> None:
        from nixkit.validator import entity_findings

        for finding in entity_findings(obj):
            self.add(obj, finding)
        self.entity(obj)

    def tag(self, tag: Any, ctx: _BlockContext) -> None:
        self.entity(tag)
        data_arrays = ctx.homes["data_arrays"]
        self.link_group(tag, "references", data_arrays, f"DataArray of block {ctx.name!r}")
        self.link_group(tag, "sources", ctx.homes["sources"], f"Source of block {ctx.name!r}")
        for link in ("positions", "extents"):
            self.dangling(tag, link, data_arrays, f"DataArray of block {ctx.name!r}")
        for unit in _strings(tag._node, "units"):
            self.unit(tag, unit, "unit")
        features = tag._node.get_group("features")
        for idx, key in enumerate(features.names() if features is not None else ()):
            node = features.get_group(key)
            if node is None:
                self.error(tag, "Unreadable", f"feature {idx}: {key!r} is not a group")
                continue
            try:
                node.get_attr("link_type")
            except CorruptFile as exc:  # the storage layer checks the value against the three kinds
                self.error(tag, "InvalidLinkType", f"feature {idx}: {exc}")
            target = "data_frames" if node.get_attr("target_type") == "DataFrame" else "data_arrays"
            self.dangling(tag, "data", ctx.homes[target], f"{_SINGULAR[target]} of block {ctx.name!r}", node=node)
        self.nixio_rules(tag)

    # -- metadata ----------------------------------------------------------------------
    def section(self, section: Any) -> None:
        if not self.first_visit(section):
            return
        self.nixio_rules(section)
        self.entity(section)
        self.dangling(section, "link", self.sections, "Section of the file's metadata tree")
        props = section._node.get_group("properties")
        for key in props.names() if props is not None else ():
            prop = props.get_dataset(key)
            if prop is None:
                self.error(section, "Unreadable", f"property {key!r} is not a dataset")
                continue
            unit = prop.get_attr("unit")
            self.unit(section, unit if isinstance(unit, str) else None, f"unit of property {key!r}")
        self.each(section, lambda: section.sections, self.section)


_BLOCK_CONTAINERS = ("data_arrays", "data_frames", "tags", "multi_tags", "groups")
_SINGULAR = {
    "data_arrays": "DataArray",
    "data_frames": "DataFrame",
    "tags": "Tag",
    "multi_tags": "MultiTag",
    "groups": "Group",
    "sources": "Source",
}


class _BlockContext:
    """Where each kind of entity of one block lives (object addresses), for link checks."""

    def __init__(self, block: Any, homes: dict[str, set[int]]) -> None:
        self.name = block._node.name
        self.homes = homes


def _addresses(group: Any) -> set[int]:
    if group is None:
        return set()
    out = set()
    for key in group.names():
        address = group.link_address(key)
        if address is not None:
            out.add(address)
    return out


def _source_tree(block_node: Any) -> set[int]:
    out: set[int] = set()
    stack = [block_node.get_group("sources")]
    while stack:
        group = stack.pop()
        if group is None:
            continue
        for key in group.names():
            sub = group.get_group(key)
            if sub is not None and sub.address not in out:
                out.add(sub.address)
                stack.append(sub.get_group("sources"))
    return out


def _strings(node: Any, name: str) -> list[str]:
    ds = node.get_dataset(name)
    if ds is None or not ds.is_string:
        return []
    return [str(v) for v in ds.read(())]
