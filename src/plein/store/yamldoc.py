"""Reading one YAML document strictly, with the line of every key, for findings that point at a line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


class YamlDocError(ValueError):
    """The bytes are not one well-formed YAML document; rule and line say what and where."""

    def __init__(self, rule: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.line = line


@dataclass
class YamlDoc:
    """The parsed data and a map from dotted paths (`requires.data[0].fields`) to 1-based lines."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, path: str) -> int | None:
        """The line of a path, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent(path)
        return self.lines.get("")


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def load_yaml(raw: bytes) -> YamlDoc:
    """Parse UTF-8 YAML holding exactly one document; duplicate keys are refused."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlDocError("yaml.encoding", f"het bestand is geen UTF-8 (ongeldige byte op regel {line})",
                           line) from exc
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlDocError("yaml.syntax", f"het bestand is geen geldige YAML: {exc.problem}", mark) from exc
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise YamlDocError("yaml.syntax", f"het bestand is geen geldige YAML: {str(exc).splitlines()[0]}") from exc
    if len(nodes) != 1:
        raise YamlDocError("yaml.multi-document", f"het bestand moet één YAML-document bevatten, niet {len(nodes)}")
    doc = YamlDoc(data=None)
    try:
        _index(nodes[0], "", doc.lines)
        doc.data = yaml.SafeLoader(text).get_single_data()
    except YamlDocError:
        raise
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise YamlDocError("yaml.syntax", f"het bestand is niet te lezen: {str(exc).splitlines()[0]}") from exc
    return doc


def _index(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise YamlDocError(
                    "yaml.duplicate-key", f"sleutel '{_join(path, key)}' komt twee keer voor",
                    key_node.start_mark.line + 1,
                )
            seen.add(key)
            _index(value_node, _join(path, key), lines)
            lines[_join(path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, f"{path}[{index}]", lines)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def json_path_to_dotted(parts: list[str | int] | tuple[Any, ...]) -> str:
    """jsonschema's error path (['requires', 'data', 0]) as a dotted path (requires.data[0])."""
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else _join(out, str(part))
    return out
