"""Bounded YAML reading for files a user hands to bipsim (scenarios, calibration targets).

PyYAML happily reads a 50 MB file, recurses once per nesting level (5,000 levels is a
``RecursionError``) and lets a few lines of anchors and aliases stand for a billion
values ("billion laughs"), which whatever walks the result then expands. Here a file
is read only if it is a regular file of sensible size and valid UTF-8, and composed
into nodes (line marks kept, nothing constructed) with limits on nesting depth, on
the number of nodes, and on the number of values the aliases would expand to. Every
breach raises :class:`YamlInputError` with the line concerned.

Values in its messages are quoted with :func:`bipsim.errors.shorten`, as in every
message, so a huge value gives a readable one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bipsim.errors import shorten

#: Largest file read (bytes): scenario and targets files have a few thousand, and
#: PyYAML (pure Python, for the line marks) reads about 0.5 MB/s.
MAX_BYTES = 256 * 1024
#: Deepest nesting of lists and mappings (a scenario needs 2, a targets file 3).
MAX_DEPTH = 40
#: Most values (scalars, lists, mappings) one document may hold or stand for once its
#: aliases are expanded: a scenario has about 100.
MAX_VALUES = 20_000
#: Longest key: keys are names (``annual_turnover``), quoted whole in messages.
MAX_KEY_CHARS = 100

STANDARD_TAG = "tag:yaml.org,2002:"
#: Tags the safe resolver gives plain values. Any other tag (``!!python/...``, ``!foo``)
#: asks a loader to build objects.
SAFE_TAGS = frozenset(STANDARD_TAG + t for t in (
    "null", "bool", "int", "float", "str", "timestamp", "merge", "map", "seq"))
# What PyYAML's safe constructors raise when an explicit tag does not fit ('!!int abc').
_CONSTRUCT_ERRORS = (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError)
_KIND = {"null": "nothing (null)", "bool": "true or false", "int": "a whole number",
         "float": "a number", "str": "text", "timestamp": "a date (YYYY-MM-DD)"}


class YamlInputError(Exception):
    """A file or text that cannot be read safely; ``str()`` is the problem.

    Attributes:
        problem: What is wrong, without the file name.
        line: 1-based line concerned, None if none.
    """

    def __init__(self, problem: str, line: int | None = None) -> None:
        self.problem, self.line = problem, line
        super().__init__(problem if line is None else f"line {line}: {problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.problem, self.line)


def read_text(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> str:
    """The text of a regular, UTF-8 file of at most ``max_bytes``.

    Raises:
        YamlInputError: Missing, not a regular file (a folder, a device, a pipe),
            too large, unreadable, or not UTF-8.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise YamlInputError("file not found") from None
    except OSError as err:
        raise YamlInputError(f"cannot read it ({err.strerror or err})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
        raise YamlInputError(f"given {kind}, expected a regular YAML file")
    if info.st_size > max_bytes:
        raise YamlInputError(f"the file has {info.st_size:,} bytes; at most {max_bytes:,} "
                             "are read (a scenario or targets file has a few thousand)")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)  # files in /proc report size 0
    except OSError as err:
        raise YamlInputError(f"cannot read it ({err.strerror or err})") from None
    if len(raw) > max_bytes:
        raise YamlInputError(f"the file has more than {max_bytes:,} bytes; at most "
                             f"{max_bytes:,} are read")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise YamlInputError(f"not UTF-8 text (byte {raw[err.start]:#04x}); save the file "
                             "as UTF-8", line) from None


def compose_file(path: str | os.PathLike[str]) -> Node | None:
    """:func:`read_text` then :func:`compose`: the file's root node, None if empty."""
    return compose(read_text(Path(path)))


def compose(text: str) -> Node | None:
    """Nodes of one YAML document, with line marks; nothing is constructed.

    Raises:
        YamlInputError: Invalid YAML, nested deeper than :data:`MAX_DEPTH`, or
            standing for more than :data:`MAX_VALUES` values once aliases are expanded
            (an alias inside the value it refers to stands for infinitely many).
    """
    loader = None
    try:
        loader = _BoundedLoader(text)
        return loader.get_single_node()
    except yaml.reader.ReaderError as err:  # a control character, with no line mark
        raise YamlInputError(f"invalid YAML: character {err.character!r} is not allowed "
                             "(special characters are not allowed)",
                             text[:err.position].count("\n") + 1) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        context = f" ({err.context})" if err.context and err.problem else ""
        raise YamlInputError(f"invalid YAML: {err.problem or err.context}{context}",
                             mark.line + 1 if mark else None) from None
    except yaml.YAMLError as err:
        raise YamlInputError(f"invalid YAML: {err}") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_value(text: str) -> Any:
    """A plain value written as YAML (``--set key=VALUE``), within the same limits.

    Raises:
        YamlInputError: Invalid YAML, a limit exceeded, or a tag that builds objects.
    """
    node = compose(text)
    if node is None:
        return None
    check_tags(node)
    try:
        return SafeConstructor().construct_document(node)
    except _CONSTRUCT_ERRORS as err:
        raise YamlInputError(f"given {shorten(text)}, not a plain value "
                             f"({str(err).splitlines()[0]})") from None


def check_tags(node: Node) -> None:
    """Refuse any tag below ``node`` that would construct an object.

    Raises:
        YamlInputError: The first such tag, with its line.
    """
    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:  # aliases share nodes
            continue
        seen.add(id(item))
        if item.tag not in SAFE_TAGS:
            raise YamlInputError(f"tag {item.tag.replace(STANDARD_TAG, '!!')} is not allowed: "
                                 "tags that construct objects are not allowed, write a "
                                 "plain value", item.start_mark.line + 1)
        if isinstance(item, SequenceNode):
            stack.extend(item.value)
        elif isinstance(item, MappingNode):
            stack.extend(part for pair in item.value for part in pair)


def scalar(node: ScalarNode) -> Any:
    """The plain value of a scalar node whose tag was checked by :func:`check_tags`.

    Raises:
        YamlInputError: An explicit tag the text does not fit (``!!int abc``); the
            message says what the tag allows.
    """
    try:
        return SafeConstructor().construct_object(node)
    except _CONSTRUCT_ERRORS as err:
        tag = node.tag.replace(STANDARD_TAG, "")
        allowed = _KIND.get(tag, "a value of that type")
        raise YamlInputError(f"given {shorten(node.value)}, cannot read it as !!{tag} "
                             f"({str(err).splitlines()[0]}); allowed: {allowed}",
                             node.start_mark.line + 1) from None


class _BoundedLoader(yaml.SafeLoader):
    """A safe loader whose composer counts depth and the values aliases stand for."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values: dict[int, int] = {}  # id(node) -> values it stands for, when complete
        self._composed = 0

    def fetch_flow_collection_start(self, token_class: type) -> None:
        # The scanner reads a whole run of '[' or '{' before the composer sees one node,
        # in time quadratic in its length: stop it at the depth the composer allows.
        if self.flow_level >= MAX_DEPTH:
            raise YamlInputError(f"nested more than {MAX_DEPTH} levels deep", self.line + 1)
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        start = event.start_mark
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlInputError(f"nested more than {MAX_DEPTH} levels deep", start.line + 1)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(event, yaml.AliasEvent):
            if id(node) not in self._values:  # the alias's node is still being composed
                raise YamlInputError("an alias refers to the value it is part of, so it "
                                     "stands for endlessly many values", start.line + 1)
        else:
            self._composed += 1
            if self._composed > MAX_VALUES:
                raise YamlInputError(f"the file holds more than {MAX_VALUES:,} values",
                                     start.line + 1)
            self._values[id(node)] = self._count(node, start)
        return node

    def _count(self, node: Node, start: yaml.Mark) -> int:
        if isinstance(node, ScalarNode):
            return 1
        if isinstance(node, SequenceNode):
            children = node.value
        else:
            children = [part for pair in node.value for part in pair]
            for key, _ in node.value:
                if isinstance(key, ScalarNode) and len(key.value) > MAX_KEY_CHARS:
                    raise YamlInputError(f"key {shorten(key.value)}: keys are names of at most "
                                         f"{MAX_KEY_CHARS} characters", key.start_mark.line + 1)
        total = 1
        for child in children:
            total += self._values[id(child)]
        if total > MAX_VALUES:
            raise YamlInputError(f"aliases (*name) make this value stand for {total:,} values;"
                                 f" at most {MAX_VALUES:,} are allowed in one file",
                                 start.line + 1)
        return total
