"""Validate a publiccode.yml strictly: decode, parse one YAML 1.2 document with its lines, check it against the
standard."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from plein.store.findings import Finding
from plein.store.publiccode.context import Context, item, join
from plein.store.publiccode.rules import DOCUMENT
from plein.store.publiccode.spec import walk

_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML12_BOOLEAN = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_YAML11_DIRECTIVE = re.compile(r"^%YAML[ \t]+1\.1\b", re.MULTILINE)
_PARSE_ERRORS = (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError, RecursionError)


@dataclass
class PubliccodeResult:
    """The outcome of validating one publiccode.yml."""

    data: dict[str, Any] | None
    findings: list[Finding] = field(default_factory=list)
    version: str | None = None


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads booleans as YAML 1.2 does (true and false only: yes, no, on and off are text), and
    keeps dates it cannot represent (2023-02-30, date-times) as the text that was written."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(None, None, "a !!timestamp must be a single value", node.start_mark)
    try:
        value = loader.construct_yaml_timestamp(node)
    except Exception:  # an impossible date, or a !!timestamp tag on text that is no timestamp
        return node.value
    return value if type(value) is dt.date else node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL_TAG, _YAML12_BOOLEAN, list("tTfF"))


class _Stop(Exception):
    """The document cannot be checked further; the finding that says why is already in the context."""


def validate_publiccode(
    raw: bytes, package_files: frozenset[str] | Mapping[str, bytes], filename: str = "publiccode.yml",
) -> PubliccodeResult:
    """Check `raw` against the publiccode.yml standard; `package_files` are the package's relative posix paths, or
    those with their bytes (then a logo is checked to be the image it says it is)."""
    contents = ({posixpath.normpath(name): data for name, data in package_files.items()}
                if isinstance(package_files, Mapping) else {})
    ctx = Context(filename=filename, package_files=frozenset(package_files), contents=contents)
    try:
        text = _decode(ctx, raw)
        node = _compose(ctx, text)
        data = _construct(ctx, node)
    except _Stop:
        return PubliccodeResult(data=None, findings=ctx.findings)
    directive = _YAML11_DIRECTIVE.search(text)
    if directive:
        ctx.add("warning", "publiccode.yaml-1.1", "", "het bestand zegt %YAML 1.1, wat de standaard verouderd noemt; "
                "verwijder die regel en schrijf YAML 1.2", line=text[: directive.start()].count("\n") + 1)
    walk(ctx, DOCUMENT, data, "")
    return PubliccodeResult(data=data, findings=ctx.findings, version=_version(ctx, data))


def _decode(ctx: Context, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        ctx.add(
            "error", "publiccode.encoding", "",
            f"het bestand is geen UTF-8: byte 0x{raw[exc.start]:02x} op positie {exc.start} (regel {line}) is "
            "ongeldig; sla het bestand op als UTF-8",
            line=line,
        )
        raise _Stop from exc


def _compose(ctx: Context, text: str) -> yaml.Node:
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except _PARSE_ERRORS as exc:
        _syntax_error(ctx, text, exc)
        raise _Stop from exc
    if len(nodes) != 1 or not isinstance(nodes[0], yaml.MappingNode):
        _shape_error(ctx, nodes)
        raise _Stop
    return nodes[0]


def _syntax_error(ctx: Context, text: str, exc: BaseException) -> None:
    line: int | None = None
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line = mark.line + 1
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
    said = str(getattr(exc, "problem", None) or exc).strip()
    detail = said.splitlines()[0] if said else type(exc).__name__
    if isinstance(exc, RecursionError):
        detail = "het is te diep genest"
    where = f" op regel {line}" if line else ""
    ctx.add("error", "publiccode.yaml-syntax", "", f"het bestand is geen geldige YAML{where}: {detail}", line=line)


def _shape_error(ctx: Context, nodes: list[yaml.Node]) -> None:
    if len(nodes) > 1:
        ctx.add(
            "error", "publiccode.multi-document", "",
            f"het bestand bevat {len(nodes)} YAML-documenten; publiccode.yml moet er precies één zijn "
            "(verwijder de scheidingen '---' waarmee de andere beginnen)",
            line=nodes[1].start_mark.line + 1,
        )
    elif not nodes:
        ctx.add("error", "publiccode.top-level", "",
                "het bestand is leeg; publiccode.yml moet een verzameling sleutels zijn", line=1)
    else:
        kinds = {yaml.SequenceNode: "een lijst", yaml.ScalarNode: "één waarde"}
        kind = kinds.get(type(nodes[0]), "geen verzameling sleutels")
        ctx.add(
            "error", "publiccode.top-level", "",
            f"het document is {kind}; publiccode.yml moet een verzameling sleutels zijn "
            "(publiccodeYmlVersion: ..., name: ...)",
            line=nodes[0].start_mark.line + 1,
        )


def _construct(ctx: Context, node: yaml.Node) -> dict[str, Any]:
    _Indexer(ctx).visit(node, "")  # duplicate keys are reported; the checks go on with the last value (as YAML reads)
    try:
        data = _Loader("").construct_document(node)
    except _PARSE_ERRORS as exc:
        _syntax_error(ctx, "", exc)
        raise _Stop from exc
    if not isinstance(data, dict):
        raise _Stop
    return data


class _Indexer:
    """Walks the YAML nodes once: records the line and source text of every path, reports duplicate keys."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen: set[int] = set()

    def visit(self, node: yaml.Node, path: str) -> None:
        if id(node) in self.seen:
            return  # an alias of a node already indexed (and the way out of recursive anchors)
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self._mapping(node, path)
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                self.ctx.lines.setdefault(item(path, index), child.start_mark.line + 1)
                self.visit(child, item(path, index))
        elif isinstance(node, yaml.ScalarNode):
            self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: str) -> None:
        keys: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                self.visit(value_node, path)
                continue
            child = join(path, _key_text(key_node))
            line = key_node.start_mark.line + 1
            ident = (key_node.tag, key_node.value)
            if ident in keys:
                self._duplicate(child, key_node.value, keys[ident], line)
            else:
                keys[ident] = line
            self.ctx.lines.setdefault(child, line)
            self.visit(value_node, child)

    def _duplicate(self, path: str, key: str, first: int, line: int) -> None:
        self.ctx.add(
            "error", "publiccode.duplicate-key", path,
            f"sleutel '{key}' staat er twee keer (regels {first} en {line}); houd er één, YAML staat dubbele "
            "sleutels niet toe",
            line=line,
        )

    def _scalar(self, node: yaml.ScalarNode, path: str) -> None:
        self.ctx.sources.setdefault(path, node.value)


def _key_text(node: yaml.ScalarNode) -> str:
    """The key as it appears in paths: the text of the constructed key (`true:` -> True, `~:` -> None)."""
    if node.tag == "tag:yaml.org,2002:str":
        return str(node.value)
    try:
        return str(_Loader("").construct_object(node))
    except _PARSE_ERRORS:
        return str(node.value)


def _version(ctx: Context, data: dict[str, Any]) -> str | None:
    value = data.get("publiccodeYmlVersion")
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, list | dict):
        return None
    return ctx.sources.get("publiccodeYmlVersion", str(value))
