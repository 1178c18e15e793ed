"""Section: a node of the metadata tree, holding Properties and child Sections.

Sections live under ``/metadata`` (roots) and ``<section>/sections`` (children); any
annotated entity may link one as its ``metadata``. A Section also behaves like a
dictionary: ``sec["key"]`` gives a property's values (or a subsection), and
``sec["key"] = value`` creates or updates a property.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from nixkit.exceptions import CopyNameClash, EntityNotFound
from nixkit.model.container import Container
from nixkit.model.entity import Entity, check_name, check_type, container_group, create_entity_group, is_uuid, new_id
from nixkit.model.property import Property, copy_property, create_property
from nixkit.storage.group import unlink_all

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_frame import DataFrame
    from nixkit.model.file import File
    from nixkit.model.group import Group
    from nixkit.model.multi_tag import MultiTag
    from nixkit.model.source import Source
    from nixkit.model.tag import Tag
    from nixkit.storage.group import GroupNode

__all__ = ["S", "Section", "SectionContainer", "copy_section_into", "create_section", "find_sections"]


class SectionContainer(Container["Section"]):
    """Child sections of a file or section.

    Deleting a section removes every link to it and to each section below it, anywhere
    in the file (metadata links and section links included).
    """

    def _delete(self, group: GroupNode, key: str) -> None:
        root = Section(self._file, group.group(key), self._owner)
        addresses = {s._node.address for s in root.find_sections()}
        unlink_all(self._file._node, addresses)
        self._file._id_index.clear()


class _PropertyContainer(Container[Property]):
    """The properties of a section: each belongs to exactly one section, so deleting
    one only needs its own link removed (no walk through the file)."""

    def _delete(self, group: GroupNode, key: str) -> None:
        group.unlink(key)
        self._file._changed(group)


class S:
    """Placeholder for a new subsection in ``section["name"] = S("type")``.

    After the assignment it forwards attribute access to the created :attr:`section`.

    Parameters
    ----------
    section_type : str
        Type of the section to create.
    section : Section, optional
        The section, once created.
    """

    __slots__ = ("section", "section_type")

    def __init__(self, section_type: str, section: Section | None = None) -> None:
        object.__setattr__(self, "section_type", section_type)
        object.__setattr__(self, "section", section)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.section, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in S.__slots__:
            object.__setattr__(self, name, value)
        else:
            setattr(self.section, name, value)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def _target(self) -> Section:
        if self.section is None:
            raise AttributeError("the S placeholder has no section yet; assign it to a section key first")
        return self.section

    def __repr__(self) -> str:
        return f"S({self.section_type!r}, {self.section!r})"


class Section(Entity):
    """A metadata section: typed, named, with properties and child sections.

    Parameters
    ----------
    file : File
        The file the section belongs to.
    node : GroupNode
        The section's storage group.
    parent : File or Section or None
        The file (for root sections), the parent section, or None when unknown (for
        example when the section was reached through an entity's ``metadata``).
    """

    def _writable(self, action: str) -> None:
        # Named by path: a repr would read attributes on every write, even when allowed.
        self._file._check_writable(f"{action} on the Section at {self._node.path}")

    # -- children -----------------------------------------------------------------------
    @property
    def sections(self) -> SectionContainer:
        """The child sections."""
        return SectionContainer(self, "sections", Section)

    @property
    def props(self) -> Container[Property]:
        """The properties, by position, name or id."""
        return _PropertyContainer(self, "properties", Property)

    def create_section(self, name: str, type_: str = "undefined", oid: str | None = None) -> Section:
        """Create a child section (``oid``, if a UUID, becomes its id)."""
        self._writable(f"create section {name!r}")
        check_name(name)
        check_type(type_)
        with container_group(self._file, self._node, "sections", name, "create_section") as target:
            return create_section(self._file, self, target, name, type_, oid)

    def create_property(
        self,
        name: str = "",
        values_or_dtype: Any = 0,
        oid: str | None = None,
        copy_from: Property | None = None,
        keep_copy_id: bool = True,
    ) -> Property:
        """Create a property from values (one or a sequence) or a data type (then empty).

        Parameters
        ----------
        name : str
            Name, unique among the section's properties (default of a copy: the source's).
        values_or_dtype : value, sequence or type
            The values (all of one kind: bool, int, float or str), or a type such as
            ``DataType.Float`` for an empty property. numpy arrays keep their type.
        oid : str, optional
            Id for the property (a UUID); a new one by default.
        copy_from : Property, optional
            Copy this property (from any section or file) instead.
        keep_copy_id : bool
            Whether a copy keeps the id of its source.

        Returns
        -------
        Property
            The new property.
        """
        if copy_from is None:
            return create_property(self, name, values_or_dtype, oid)
        if not isinstance(copy_from, Property):
            raise TypeError(f"Object to be copied is not a Property but a {type(copy_from).__name__}")
        self._writable("copy a property")
        name = check_name(name or copy_from.name)
        group = self._node.get_group("properties")
        if group is not None and name in group:
            raise _name_clash(name)
        with container_group(self._file, self._node, "properties", name) as group:
            node = copy_property(self._file, group, copy_from, name, keep_copy_id)
        return Property(self._file, node, self)

    def copy_section(self, obj: Section, children: bool = True, keep_id: bool = True, name: str = "") -> Section:
        """Copy ``obj`` (from this or another file) as a child of this section.

        Parameters
        ----------
        obj : Section
            The section to copy.
        children : bool
            Whether subsections are copied too (properties always are).
        keep_id : bool
            Whether the copies keep the ids of their sources.
        name : str
            Name of the copy (default: the name of ``obj``).

        Returns
        -------
        Section
            The copy.
        """
        self._writable("copy a section")
        if not isinstance(obj, Section):
            raise TypeError(f"Object to be copied is not a Section but a {type(obj).__name__}")
        check_name(name or obj.name)
        existing = self._node.get_group("sections")
        if existing is not None and (name or obj.name) in existing:
            raise _name_clash(name or obj.name)
        with container_group(self._file, self._node, "sections", name or obj.name) as target:
            return copy_section_into(self._file, self, target, obj, children, keep_id, name, Section)

    # -- attributes -------------------------------------------------------------------------
    @property
    def reference(self) -> str | None:
        """A reference (e.g. a URL) for the section's content."""
        return self._node.get_attr("reference")

    @reference.setter
    def reference(self, value: str | None) -> None:
        self._set_optional_str("reference", value)

    @property
    def repository(self) -> str | None:
        """URL of the terminology the section follows."""
        return self._node.get_attr("repository")

    @repository.setter
    def repository(self, value: str | None) -> None:
        self._set_optional_str("repository", value)

    @property
    def link(self) -> Section | None:
        """Another section whose properties this one inherits, or None.

        Set a Section or the id of one in the file; None (or ``del``) removes only the link.
        """
        node = self._node.get_group("link")
        return Section(self._file, node, None) if node is not None else None

    @link.setter
    def link(self, target: Section | str | None) -> None:
        if target is None:
            del self.link
            return
        if isinstance(target, str):
            found = self._file.find_sections(lambda s: s.id == target)
            if not found:
                raise EntityNotFound(f"no section with id {target!r} in {self._file!r}")
            target = found[0]
        if not isinstance(target, Section):
            raise TypeError(f"link must be a Section, its id or None, not {type(target).__name__}")
        if target.file is not self._file and target.file._path != self._file._path:
            raise ValueError("the Section to link belongs to another file")
        self._writable("set link")
        self._node.link(target._node, "link")
        self._touch()

    @link.deleter
    def link(self) -> None:
        # Only the link goes; the linked section stays (nixio could delete this section).
        self._writable("remove link")
        if "link" in self._node:
            self._node.unlink("link")
            self._touch()

    def inherited_properties(self) -> list[Property]:
        """Own properties, then those of the linked section, following links (cycles stop)."""
        result: list[Property] = []
        seen: set[int] = set()
        section: Section | None = self
        while section is not None and section._node.address not in seen:
            seen.add(section._node.address)
            result.extend(section.props)
            section = section.link
        return result

    # -- tree -------------------------------------------------------------------------------
    @property
    def parent(self) -> Section | None:
        """The parent section, or None for a root section."""
        if isinstance(self._parent, Section):
            return self._parent
        if self._parent is self._file:
            return None
        found = _find_parent(self)
        self._parent = found if found is not None else self._file
        return found

    def find_sections(
        self, filtr: Callable[[Section], bool] = lambda _: True, limit: int | None = None
    ) -> list[Section]:
        """This section and its descendants (breadth first) for which ``filtr`` is true.

        ``limit`` is the depth searched: 0 is this section only, 1 adds its children.
        """
        return find_sections([self], filtr, limit, start_level=0)

    def find_related(self, filtr: Callable[[Section], bool] = lambda _: True) -> list[Section]:
        """The parent and siblings, then this section and its children, filtered by ``filtr``."""
        parent = self.parent
        result = find_sections([parent], filtr, 1, start_level=0) if parent is not None else []
        address = self._node.address
        result = [s for s in result if s._node.address != address]
        return result + find_sections([self], filtr, 1, start_level=0)

    # -- entities that link this section ------------------------------------------------------
    def _linked_here(self, entities: Any) -> list[Any]:
        address = self._node.address
        out = []
        for entity in entities:
            node = entity._node
            if "metadata" in node and node.link_address("metadata") == address:
                out.append(entity)
        return out

    def _in_blocks(self, container: str) -> list[Any]:
        out: list[Any] = []
        for block in self._file.blocks:
            out.extend(self._linked_here(getattr(block, container)))
        return out

    @property
    def referring_blocks(self) -> list[Block]:
        """Blocks whose metadata is this section."""
        return self._linked_here(self._file.blocks)

    @property
    def referring_groups(self) -> list[Group]:
        """Groups whose metadata is this section."""
        return self._in_blocks("groups")

    @property
    def referring_data_arrays(self) -> list[DataArray]:
        """Data arrays whose metadata is this section."""
        return self._in_blocks("data_arrays")

    @property
    def referring_data_frames(self) -> list[DataFrame]:
        """Data frames whose metadata is this section."""
        return self._in_blocks("data_frames")

    @property
    def referring_tags(self) -> list[Tag]:
        """Tags whose metadata is this section."""
        return self._in_blocks("tags")

    @property
    def referring_multi_tags(self) -> list[MultiTag]:
        """Multi-tags whose metadata is this section."""
        return self._in_blocks("multi_tags")

    @property
    def referring_sources(self) -> list[Source]:
        """Sources (at any depth of the source trees) whose metadata is this section."""
        out: list[Any] = []
        for block in self._file.blocks:
            out.extend(self._linked_here(block.find_sources()))
        return out

    @property
    def referring_objects(self) -> list[Any]:
        """Every block, group, data array, tag, multi-tag, source and data frame linking this section."""
        return (
            self.referring_blocks
            + self.referring_groups
            + self.referring_data_arrays
            + self.referring_tags
            + self.referring_multi_tags
            + self.referring_sources
            + self.referring_data_frames
        )

    # -- display ------------------------------------------------------------------------------
    def pprint(self, indent: int = 2, max_depth: int = -1, max_length: int = 80, current_depth: int = 0) -> None:
        """Print the section, its properties and (to ``max_depth`` levels, -1: all) its subsections."""
        from nixkit.display.text import print_section

        print_section(self, indent=indent, max_depth=max_depth, max_length=max_length, current_depth=current_depth)

    # -- mapping interface ------------------------------------------------------------------------
    def __getitem__(self, key: str | int) -> Any:
        props = self.props
        if isinstance(key, str) and key not in props and key in self.sections:
            return self.sections[key]
        values = props[key].values
        return values[0] if len(values) == 1 else list(values)

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(value, S):
            value.section = self.create_section(key, value.section_type)
            return
        # A link-existence check opens no object: the cheap test on this hot path.
        known = isinstance(key, str) and "/" not in key and f"properties/{key}" in self._node
        prop = self.props.get(key) if known or is_uuid(key) else None
        if prop is not None:
            prop.values = value
        else:
            create_property(self, key, value)

    def __delitem__(self, key: str | int) -> None:
        props = self.props
        if isinstance(key, str) and key not in props and key in self.sections:
            del self.sections[key]
            return
        del props[key]

    def __contains__(self, key: object) -> bool:
        return key in self.props or key in self.sections

    def __len__(self) -> int:
        return len(self.props)

    def __iter__(self) -> Iterator[Property | Section]:
        for _name, item in self.items():
            yield item

    def items(self) -> Iterator[tuple[str, Property | Section]]:
        """``(name, object)`` pairs: the properties first, then the subsections."""
        for prop in self.props:
            yield prop.name, prop
        for section in self.sections:
            yield section.name, section


def _name_clash(name: str) -> CopyNameClash:
    return CopyNameClash(f"an object named {name!r} already exists there; give the copy another name")


def _find_parent(section: Section) -> Section | None:
    """The section whose ``sections`` group links ``section``, searched through the file."""
    address = section._node.address
    roots = section._file._node.get_group("metadata")
    if roots is not None and any(roots.link_address(key) == address for key in roots.names()):
        return None
    for candidate in find_sections(list(section._file.sections), lambda _: True, None):
        children = candidate._node.get_group("sections")
        if children is None:
            continue
        for key in children.names():
            if children.link_address(key) == address:
                return candidate
    return None


def create_section(
    file: File, parent_obj: Any, container_node: GroupNode, name: str, type_: str, oid: str | None
) -> Section:
    """Create a section named ``name`` in ``container_node`` (``oid``, if a UUID, is its id)."""
    file._check_writable(f"create section {name!r}")
    node = create_entity_group(file, container_node, name, type_, "section", entity_id=oid)
    return Section(file, node, parent_obj)


def find_sections(
    roots: list[Section], filtr: Callable[[Section], bool], limit: int | None, start_level: int = 1
) -> list[Section]:
    """Breadth-first search through section trees.

    The roots are at ``start_level``; children of a section at level ``n`` are visited
    when ``n + 1 <= limit`` (None: no limit). A section reached twice (possible only in
    a damaged file) is visited once.
    """
    found: list[Section] = []
    seen: set[int] = set()
    queue = deque((s, start_level) for s in roots)
    while queue:
        section, level = queue.popleft()
        address = section._node.address
        if address in seen:
            continue
        seen.add(address)
        if limit is None or level + 1 <= limit:
            queue.extend((child, level + 1) for child in section.sections)
        if filtr(section):
            found.append(section)
    return found


def copy_section_into(
    file: File,
    parent_obj: Any,
    container_node: GroupNode,
    obj: Section,
    children: bool,
    keep_id: bool,
    name: str,
    cls: type[Section],
) -> Section:
    """Copy ``obj`` (with its subtree when ``children``) into ``container_node`` as ``name``.

    The source may be in another file. Properties are copied in the current layout.
    A ``link`` to a section inside the copied tree points to its copy; one to a section
    outside it points to the original, or is dropped when the copy goes to another file.
    With ``keep_id`` False every copied section and property gets a new id.
    """
    if not isinstance(obj, Section):
        raise TypeError(f"Object to be copied is not a Section but a {type(obj).__name__}")
    file._check_writable("copy a section")
    name = check_name(name or obj.name)
    if name in container_node:
        raise _name_clash(name)
    # Read the whole source tree first: a copy into its own subtree must not copy itself.
    order: list[tuple[Section, int]] = [(obj, -1)]
    if children:
        i = 0
        while i < len(order):
            order.extend((child, i) for child in order[i][0].sections)
            i += 1
    made: list[GroupNode] = []
    copies: dict[int, GroupNode] = {}
    for index, (source, parent_index) in enumerate(order):
        target = container_node if parent_index < 0 else made[parent_index].require_group("sections")
        node = target.create_group(name if index == 0 else source.name)
        _copy_attrs(source._node, node, name if index == 0 else None, keep_id)
        props = list(source.props)
        if props:
            group = node.create_group("properties")
            for prop in props:
                copy_property(file, group, prop, prop.name, keep_id)
        made.append(node)
        copies[source._node.address] = node
    same_file = obj.file is file or obj.file._path == file._path
    for (source, _), node in zip(order, made, strict=True):
        linked = source._node.get_group("link")
        if linked is None:
            continue
        target_node = copies.get(linked.address, linked if same_file else None)
        if target_node is not None:
            node.link(target_node, "link")
    file._changed(container_node)
    return cls(file, made[0], parent_obj)


def _copy_attrs(source: GroupNode, dest: GroupNode, name: str | None, keep_id: bool) -> None:
    for key in source.attr_names():
        value = source.get_attr(key)
        if key == "name" and name is not None:
            value = name
        elif key == "entity_id" and not keep_id:
            value = new_id()
        dest.set_attr(key, value, ascii_str=key in ("created_at", "updated_at"))
