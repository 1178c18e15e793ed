"""The NIX rules that nixio's validator checks, with nixio's message texts.

This module keeps the names of ``nixio.validator`` (``check_file``, ``check_data_array``,
``ValidationError`` ...), so code written against nixio keeps working. Each ``check_*``
function returns plain message lists as nixio does; :func:`findings_of` gives the same
checks as :class:`Finding` records that also carry the rule name, which
:mod:`nixkit.validate` uses to build its richer report. ``check_file`` runs the full
validation of :func:`nixkit.validate.validate_file`: nixio's rules plus the ones nixio
misses.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from nixkit.exceptions import NixError
from nixkit.model.enums import DimensionType

if TYPE_CHECKING:
    from nixkit.validate import Report

__all__ = [
    "Finding",
    "ValidationError",
    "ValidationWarning",
    "check_block",
    "check_data_array",
    "check_entity",
    "check_feature",
    "check_file",
    "check_group",
    "check_multi_tag",
    "check_property",
    "check_range_dimension",
    "check_sampled_dimension",
    "check_section",
    "check_set_dimension",
    "check_source",
    "check_tag",
    "findings_of",
    "get_dim_units",
    "tag_units_match_refs_units",
]


class ValidationError:
    """Texts of the rule violations reported as errors (nixio's exact wording)."""

    NoName = "no name set"
    NoType = "no type set"
    NoDate = "date is not set"
    NoDataType = "data type is not set"
    NoID = "no ID set"
    DimensionMismatch = "data dimensionality does not match number of defined dimensions"
    InvalidDimensionIndex = "index for dimension {} is not set to a valid value (index > 0)"
    IncorrectDimensionIndex = "index for dimension {} is set to incorrect value {}"
    DimensionTypeMismatch = "dimension_type attribute for dimension {} does not match Dimension object type"
    RangeDimTicksMismatch = (
        "number of ticks in RangeDimension ({}) differs from the number of data entries "
        "along the corresponding data dimension"
    )
    SetDimLabelsMismatch = (
        "number of labels in SetDimension ({}) differs from the number of data entries "
        "along the corresponding data dimension"
    )
    NoPosition = "position is not set"
    PositionDimensionMismatch = (
        "number of entries in position does not match number of dimensions in all referenced DataArrays"
    )
    ExtentDimensionMismatch = (
        "number of entries in extent does not match number of dimensions in all referenced DataArrays"
    )
    PositionExtentMismatch = "number of entries in position and extent do not match"
    ReferenceUnitsMismatch = (
        "some of the referenced DataArrays' dimensions don't have units where the Tag has; "
        "make sure that all references have the same number of dimensions as the Tag has units "
        "and that each dimension has a unit set"
    )
    ReferenceUnitsIncompatible = (
        "some of the referenced DataArrays' dimensions have units that are not convertible to "
        "the units set in the Tag (Note: composite units are not supported)"
    )
    InvalidUnit = "unit is invalid: not an atomic SI (Note: composite units are not supported)"
    NoPositions = "positions are not set"
    PositionsDimensionMismatch = (
        "number of entries (in 2nd dim) in positions does not match number of dimensions in all referenced DataArrays"
    )
    ExtentsDimensionMismatch = (
        "number of entries (in 2nd dim) in extents does not match number of dimensions in all referenced DataArrays"
    )
    PositionsExtentsMismatch = "number of entries in positions and extents do not match"
    NoTicks = "ticks for dimension {} are not set"
    UnsortedTicks = "ticks for dimension {} are not sorted"
    InvalidDimensionUnit = (
        "unit for dimension {} is set but it is not an atomic SI unit (Note: composite units are not supported)"
    )
    NoSamplingInterval = "sampling interval for dimension {} is not set"
    InvalidSamplingInterval = "sampling interval for dimension {} is not valid (interval > 0)"
    DataFrameMismatch = "referenced data frame for dimension {} does not have the same row count as the data array"
    NoData = "data is not set"
    NoLinkType = "link_type is not set"


class ValidationWarning:
    """Texts of the findings reported as warnings (nixio's exact wording)."""

    NoVersion = "version is not set"
    NoFormat = "format is not set"
    NoFileID = "file ID is not set"
    InvalidUnit = "unit is not SI or composite of SI units"
    NoExpansionOrigin = "polynomial coefficients for calibration are set, but expansion origin is missing"
    NoPolynomialCoefficients = "expansion origin for calibration is set, but polynomial coefficients are missing"
    OffsetNoUnit = "offset for dimension {} is set, but no valid unit is set"
    NoUnit = "unit is not set"


class Finding(NamedTuple):
    """One rule violation: ``severity`` is ``"error"`` or ``"warning"``; ``rule`` names the rule."""

    severity: str
    rule: str
    message: str


def _error(rule: str, *args: object) -> Finding:
    return Finding("error", rule, getattr(ValidationError, rule).format(*args))


def _warning(rule: str, *args: object) -> Finding:
    return Finding("warning", rule, getattr(ValidationWarning, rule).format(*args))


def _split(findings: Iterable[Finding]) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    for f in findings:
        (errors if f.severity == "error" else warnings).append(f.message)
    return errors, warnings


def _units() -> Any:
    # Imported late: the unit helpers are only needed when a unit is present.
    from nixkit.util import units

    return units


# -- per-entity rules (each returns Findings) ---------------------------------------------
def entity_findings(entity: Any) -> list[Finding]:
    """Rules every named entity must follow: a type, an id, a name and a creation date."""
    out = []
    if not entity.type:
        out.append(_error("NoType"))
    if not entity.id:
        out.append(_error("NoID"))
    if _no_name(entity):
        out.append(_error("NoName"))
    if _no_date(entity):
        out.append(_error("NoDate"))
    return out


def _no_name(entity: Any) -> bool:
    # Our ``name`` falls back to the storage name when the attribute is missing.
    node = getattr(entity, "_node", None)
    if node is not None:
        return not node.get_attr("name")
    return not entity.name


def _no_date(entity: Any) -> bool:
    # Our ``created_at`` reads a missing date as 0, so ask the stored attribute directly.
    node = getattr(entity, "_node", None)
    if node is not None:
        return not node.get_attr("created_at")
    return entity.created_at is None


def data_array_findings(da: Any) -> list[Finding]:
    """DataArray rules, including those of its dimensions (reported on the DataArray)."""
    out = entity_findings(da)
    units = _units()
    if not da.data_type:
        out.append(_error("NoDataType"))
    shape = da.shape
    dims = list(da.dimensions)
    if len(dims) != len(shape):
        out.append(_error("DimensionMismatch"))
    if da.unit and not units.is_si(da.unit):
        out.append(_warning("InvalidUnit"))
    coefficients = da.polynom_coefficients
    if coefficients and not da.expansion_origin:
        out.append(_warning("NoExpansionOrigin"))
    elif da.expansion_origin and not coefficients:
        out.append(_warning("NoPolynomialCoefficients"))
    for idx, (dim, length) in enumerate(zip(dims, shape, strict=False), 1):
        if not dim.index or dim.index <= 0:
            out.append(_error("InvalidDimensionIndex", idx))
        elif dim.index != idx:
            out.append(_error("IncorrectDimensionIndex", idx, dim.index))
        if dim.dimension_type == DimensionType.Range:
            ticks = dim.ticks
            if ticks is not None and len(ticks) != length:
                # nixio puts the dimension index into "number of ticks (...)"; we give the count.
                out.append(_error("RangeDimTicksMismatch", len(ticks)))
            out.extend(range_dimension_findings(dim, idx))
        elif dim.dimension_type == DimensionType.Sample:
            out.extend(sampled_dimension_findings(dim, idx))
        elif dim.dimension_type == DimensionType.Set:
            labels = dim.labels
            if labels and len(labels) != length:
                # An empty label list is allowed; as for ticks, we give the count, not the index.
                out.append(_error("SetDimLabelsMismatch", len(labels)))
    return out


def range_dimension_findings(dim: Any, idx: int) -> list[Finding]:
    """A RangeDimension needs strictly ascending ticks and an atomic SI unit (if any)."""
    out = []
    ticks = dim.ticks
    if not ticks:
        out.append(_error("NoTicks", idx))
    elif not all(a < b for a, b in itertools.pairwise(ticks)):
        out.append(_error("UnsortedTicks", idx))
    if dim.unit and not _units().is_atomic(dim.unit):
        out.append(_error("InvalidDimensionUnit", idx))
    return out


def sampled_dimension_findings(dim: Any, idx: int) -> list[Finding]:
    """A SampledDimension needs a positive, finite interval and an atomic SI unit (if any)."""
    out = []
    interval = dim.sampling_interval
    if not interval:
        out.append(_error("NoSamplingInterval", idx))
    elif not math.isfinite(float(interval)) or interval < 0:
        # nixio only tests ``< 0``; NaN and infinity are not valid intervals either.
        out.append(_error("InvalidSamplingInterval", idx))
    if dim.unit:
        if not _units().is_atomic(dim.unit):
            out.append(_error("InvalidDimensionUnit", idx))
    elif dim.offset:
        out.append(_warning("OffsetNoUnit", idx))
    return out


def _tag_unit_findings(units_: Sequence[str], refs: list[Any]) -> list[Finding]:
    out = []
    if refs:
        refs_units = [get_dim_units(da) for da in refs]
        if any(len(ru) != len(units_) for ru in refs_units):
            out.append(_error("ReferenceUnitsMismatch"))
        if not tag_units_match_refs_units(units_, refs_units):
            out.append(_error("ReferenceUnitsIncompatible"))
    if any(not _units().is_si(u) for u in units_ if u):
        out.append(_error("InvalidUnit"))
    return out


def tag_findings(tag: Any) -> list[Finding]:
    """Tag rules: a position whose length fits every reference, and matching units."""
    out = entity_findings(tag)
    position = tag.position
    if position is None or not len(position):
        out.append(_error("NoPosition"))
    refs = list(tag.references)
    if refs:
        posdim = len(position) if position is not None else 0
        if any(posdim != len(da.shape) for da in refs):
            out.append(_error("PositionDimensionMismatch"))
        extent = tag.extent
        if extent is not None and len(extent):
            if len(extent) != posdim:
                out.append(_error("PositionExtentMismatch"))
            if any(len(extent) != len(da.shape) for da in refs):
                out.append(_error("ExtentDimensionMismatch"))
    out.extend(_tag_unit_findings(list(tag.units or ()), refs))
    for idx, feature in enumerate(tag.features):
        out.extend(feature_findings(feature, idx))
    return out


def _columns(shape: tuple[int, ...]) -> int:
    return 1 if len(shape) == 1 else shape[1]


def multi_tag_findings(mtag: Any) -> list[Finding]:
    """MultiTag rules: positions (and extents) whose width fits every reference."""
    out = entity_findings(mtag)
    positions = mtag.positions
    if positions is None or not positions.shape or not positions.shape[0]:
        out.append(_error("NoPositions"))
    refs = list(mtag.references)
    if refs and positions is not None:
        pshape = positions.shape
        if any(_columns(pshape) != len(da.shape) for da in refs):
            out.append(_error("PositionsDimensionMismatch"))
        extents = mtag.extents
        if extents is not None:
            eshape = extents.shape
            if pshape != eshape:
                out.append(_error("PositionsExtentsMismatch"))
            if any(_columns(eshape) != len(da.shape) for da in refs):
                out.append(_error("ExtentsDimensionMismatch"))
    out.extend(_tag_unit_findings(list(mtag.units or ()), refs))
    for idx, feature in enumerate(mtag.features):
        out.extend(feature_findings(feature, idx))
    return out


def _prefixed(prefix: str, finding: Finding) -> Finding:
    return finding._replace(message=f"{prefix} {finding.message}")


def feature_findings(feature: Any, idx: int) -> list[Finding]:
    """Feature rules (reported on the owning tag with the prefix ``"feature {idx}:"``)."""
    out = []
    if not feature.id:
        out.append(_error("NoID"))
    if _no_date(feature):
        out.append(_error("NoDate"))
    try:
        data = feature.data
    except (NixError, RuntimeError, KeyError):
        # nixio's validator crashes here; a feature whose data is gone simply has no data.
        data = None
    if data is None:
        out.append(_error("NoData"))
    try:
        has_link_type = bool(feature.link_type)
    except NixError:
        has_link_type = True  # set, but to no valid kind: nixkit.validate reports InvalidLinkType
    if not has_link_type:
        out.append(_error("NoLinkType"))
    return [_prefixed(f"feature {idx}:", f) for f in out]


def property_findings(prop: Any, idx: int) -> list[Finding]:
    """Property rules (reported on the section with the prefix ``"property {idx}:"``)."""
    out = []
    if not prop.id:
        out.append(_error("NoID"))
    if not prop.name:
        out.append(_error("NoName"))
    if not prop.unit:
        out.append(_warning("NoUnit"))
    return [_prefixed(f"property {idx}:", f) for f in out]


def section_findings(section: Any) -> list[Finding]:
    """Section rules, including those of its properties."""
    out = entity_findings(section)
    for idx, prop in enumerate(section.props):
        out.extend(property_findings(prop, idx))
    return out


def file_findings(nixfile: Any) -> list[Finding]:
    """File rules: creation date (error); version, format and id (warnings)."""
    out = []
    if not nixfile.created_at:
        out.append(_error("NoDate"))
    version = nixfile.version
    if not version:
        out.append(_warning("NoVersion"))
    if not nixfile.format:
        out.append(_warning("NoFormat"))
    if not nixfile.id and version and tuple(version) >= (1, 2, 0):
        out.append(_warning("NoFileID"))
    return out


_BY_CLASS = {
    "Block": entity_findings,
    "Group": entity_findings,
    "Source": entity_findings,
    "DataArray": data_array_findings,
    "Tag": tag_findings,
    "MultiTag": multi_tag_findings,
    "Section": section_findings,
    "File": file_findings,
}


def findings_of(obj: Any) -> list[Finding]:
    """nixio's rules for ``obj`` (a File, Block, Group, Source, DataArray, Tag, MultiTag or Section)."""
    for cls in type(obj).__mro__:
        check = _BY_CLASS.get(cls.__name__)
        if check is not None:
            return check(obj)
    return entity_findings(obj)


# -- the nixio-compatible functions -------------------------------------------------------
def check_file(nixfile: Any) -> Report:
    """Validate a whole file: ``{"errors": {obj: [msg]}, "warnings": {obj: [msg]}}``.

    The result is a :class:`nixkit.validate.Report`, a dict of that shape that also lists
    every finding with its rule and entity path.
    """
    from nixkit.validate import validate_file

    return validate_file(nixfile)


def check_entity(entity: Any) -> list[str]:
    """Errors of the rules common to all entities."""
    return _split(entity_findings(entity))[0]


def check_block(block: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of a Block itself (not of its contents)."""
    return _split(entity_findings(block))


def check_group(group: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of a Group itself (not of its members)."""
    return _split(entity_findings(group))


def check_source(source: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of a Source (not of its children)."""
    return _split(entity_findings(source))


def check_data_array(da: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of a DataArray and its dimensions."""
    return _split(data_array_findings(da))


def check_tag(tag: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of a Tag and its features."""
    return _split(tag_findings(tag))


def check_multi_tag(mtag: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of a MultiTag and its features."""
    return _split(multi_tag_findings(mtag))


def check_feature(feature: Any, idx: int) -> list[str]:
    """Errors of feature number ``idx`` of a tag, prefixed ``"feature {idx}: "``."""
    return _split(feature_findings(feature, idx))[0]


def check_section(section: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of a Section and its properties."""
    return _split(section_findings(section))


def check_property(prop: Any, idx: int) -> tuple[list[str], list[str]]:
    """Errors and warnings of property number ``idx``, prefixed ``"property {idx}: "``."""
    return _split(property_findings(prop, idx))


def check_range_dimension(dim: Any, idx: int) -> tuple[list[str], list[str]]:
    """Errors and warnings of a RangeDimension at 1-based position ``idx``."""
    return _split(range_dimension_findings(dim, idx))


def check_sampled_dimension(dim: Any, idx: int) -> tuple[list[str], list[str]]:
    """Errors and warnings of a SampledDimension at 1-based position ``idx``."""
    return _split(sampled_dimension_findings(dim, idx))


def check_set_dimension() -> tuple[list[str], list[str]]:
    """A SetDimension on its own has no rules (its label count is checked on the DataArray)."""
    return [], []


def get_dim_units(data_array: Any) -> list[str]:
    """The unit of every dimension of ``data_array`` (``""`` for none and for set dimensions)."""
    out = []
    for dim in data_array.dimensions:
        if dim.dimension_type in (DimensionType.Range, DimensionType.Sample):
            out.append(dim.unit or "")
        else:
            out.append("")
    return out


def tag_units_match_refs_units(tag_units: Sequence[str], refs_units: Sequence[Sequence[str]]) -> bool:
    """Whether every tag unit converts to the unit of the matching dimension of every reference."""
    units = _units()
    for ref_units in refs_units:
        for tag_unit, ref_unit in zip(tag_units, ref_units, strict=False):
            if tag_unit == "" and ref_unit == "":
                continue
            if not units.scalable(tag_unit, ref_unit):
                return False
    return True
