"""YAML to ``Roadmap``: safe loading, the line of every value, one error line per problem.

Reads with ``yaml.SafeLoader`` (libyaml's when available; no Python tags), remembers where each
value starts, validates with the pydantic models of ``llmpath.workspace.roadmap`` and the validator
registry, and turns every problem into a ``RoadmapError`` line::

    roadmap.yaml:42: phases[0].milestones[1].criteria[0].checks[0].validator: unknown validator ...
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from llmpath.errors import RoadmapError
from llmpath.workspace.roadmap import (
    CRITERION_ID,
    MAX_DEPTH,
    MAX_NODES,
    MILESTONE_ID,
    PHASE_ID,
    Loc,
    Roadmap,
    consistency_problems,
    dotted,
)

Resolver = Callable[[str], Any]


class _Problems(Exception):
    def __init__(self, problems: list[tuple[int | None, str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


class _Located:
    """Loader mixin that says where a bad scalar (e.g. a timestamp like 2020-13-45) is."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # ValueError/OverflowError from a scalar constructor
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value: {exc}", node.start_mark
            ) from None


class PyLoader(_Located, yaml.SafeLoader):
    pass


MAX_BYTES = 2 * 1024 * 1024  # the built-in roadmap is ~28 KB; refused before parsing (documented in README.md)

LOADER: type = PyLoader
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(_Located, yaml.CSafeLoader):  # libyaml parses ~10x faster; same safe constructor
        pass

    LOADER = _CLoader


def load_roadmap(path: Path, *, resolver: Resolver | None = None, builtins_checked: bool = False) -> Roadmap:
    """Read and validate ``path``; any problem raises RoadmapError (one line per problem).

    ``resolver`` maps a validator name to its ``Check`` (default: the registry's ``resolve``);
    tests pass their own. ``builtins_checked``: this llmpath already checked these exact bytes (its
    cache says so), so the built-in validators' names and parameters are not checked again, which
    spares importing every validator package; instructors' validators are always checked.
    """
    path = Path(path)
    name = path.name
    try:
        problems, data = _parse(path, resolver, builtins_checked)
    except _Problems as exc:
        problems, data = exc.problems, None
    except RecursionError:
        problems, data = [(1, "(top level)", "nested too deeply to read")], None
    if problems:
        lines = [
            f"{name}:{line}: {where}: {msg}" if line else f"{name}: {where}: {msg}" for line, where, msg in problems
        ]
        raise RoadmapError(
            "\n".join(" ".join(line.split()) for line in lines),
            hint=f"fix {path} (`llmpath schema` prints its JSON schema)",
        )
    assert isinstance(data, Roadmap)
    return data


def _parse(
    path: Path, resolver: Resolver | None, builtins_checked: bool = False
) -> tuple[list[tuple[int | None, str, str]], Roadmap | None]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _Problems([(None, "(file)", f"cannot read it: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise _Problems([(None, "(file)", f"over {MAX_BYTES // 2**20} MB: a roadmap is a few dozen kilobytes of "
                          "YAML; llmpath does not read files this large")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Problems([(raw[: exc.start].count(b"\n") + 1, "(file)", "not UTF-8 text")]) from None

    try:
        loader = LOADER(text)  # the reader refuses control characters here
        try:
            node = loader.get_single_node()
            if node is None:
                raise _Problems(
                    [(1, "(top level)", "the file is empty; expected a mapping with version, title, phases")]
                )
            lines = _walk(node, loader)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if exc.problem and "could not determine a constructor for the tag" in exc.problem:
            what = f"{exc.problem}: only plain YAML is allowed (no Python tags)"
        raise _Problems([(mark.line + 1 if mark else 1, "invalid YAML", what or "cannot parse")]) from None
    except yaml.reader.ReaderError as exc:
        bad = exc.character if isinstance(exc.character, int) else None
        where = text.find(chr(bad)) if bad is not None else -1  # (libyaml counts bytes, not characters)
        line = text[:where].count("\n") + 1 if where >= 0 else 1
        what = (
            f"unacceptable character #x{bad:04x} (control characters are not allowed)"
            if bad is not None
            else "unreadable text"
        )
        raise _Problems([(line, "invalid YAML", what)]) from None
    except yaml.YAMLError as exc:
        raise _Problems([(1, "invalid YAML", " ".join(str(exc).split()))]) from None

    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else f"{type(data).__name__} {_short(data)}"
        raise _Problems([(1, "(top level)", f"expected a mapping with version, title, phases; got {got}")])

    try:
        roadmap = Roadmap.model_validate(data, context={"_llmpath_loader": True})
    except ValidationError as exc:
        return [_pydantic_problem(err, Roadmap, (), lines) for err in exc.errors(include_url=False)], None

    problems = [(_line(loc, lines), dotted(loc), msg) for loc, msg in consistency_problems(roadmap)]
    problems += _validator_problems(roadmap, path, resolver, lines, builtins_checked)
    return problems, roadmap


def _walk(root: yaml.Node, loader: yaml.SafeLoader) -> dict[Loc, int]:
    """Map each path to its line; refuse duplicate keys, non-string keys, cycles and bombs."""
    lines: dict[Loc, int] = {(): root.start_mark.line + 1}
    problems: list[tuple[int | None, str, str]] = []
    active: set[int] = set()
    sizes: dict[int, int] = {}

    def visit(node: yaml.Node, loc: Loc) -> int:
        if id(node) in active:
            problems.append((node.start_mark.line + 1, dotted(loc), "an alias refers to itself (recursive structure)"))
            return 1
        if id(node) in sizes:  # an alias to a node already walked
            return sizes[id(node)]
        if len(loc) > MAX_DEPTH:
            problems.append((node.start_mark.line + 1, dotted(loc), "nested too deeply"))
            return 1
        active.add(id(node))
        size = 1
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines.setdefault((*loc, i), item.start_mark.line + 1)
                size += visit(item, (*loc, i))
        elif isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    size += visit(value_node, loc)
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    problems.append((line, dotted(loc), "a key must be a plain string, not a list or mapping"))
                    continue
                key = loader.construct_object(key_node)
                if not isinstance(key, str):
                    problems.append((line, dotted(loc), f"key {_short(key)} must be a string (quote it)"))
                    continue
                if key in first:
                    problems.append((line, dotted((*loc, key)), f"duplicate key (first at line {first[key]})"))
                    continue
                first[key] = line
                lines.setdefault((*loc, key), line)
                size += visit(value_node, (*loc, key))
        active.discard(id(node))
        sizes[id(node)] = size
        if size > MAX_NODES and not problems:
            problems.append(
                (node.start_mark.line + 1, dotted(loc), f"expands to more than {MAX_NODES} values (alias bomb?)")
            )
        return size

    visit(root, ())
    if problems:
        raise _Problems(problems[:50])
    return lines


def _validator_problems(
    roadmap: Roadmap, path: Path, resolver: Resolver | None, lines: dict[Loc, int], builtins_checked: bool = False
) -> list[tuple[int | None, str, str]]:
    if resolver is None:
        from llmpath.validators.registry import resolve as resolver
    from llmpath.validators.registry import UnknownValidator, allow_beside

    problems: list[tuple[int | None, str, str]] = []
    folder = path.resolve().parent
    for p, phase in enumerate(roadmap.phases):
        for m, milestone in enumerate(phase.milestones):
            for c, criterion in enumerate(milestone.criteria):
                for k, decl in enumerate(criterion.checks):
                    loc = ("phases", p, "milestones", m, "criteria", c, "checks", k)
                    if ":" in decl.validator:
                        allow_beside(decl.validator, folder)  # custom validators live beside roadmap.yaml
                    elif builtins_checked:
                        continue
                    try:
                        check = resolver(decl.validator)
                    except UnknownValidator as exc:
                        loc_v = (*loc, "validator")
                        problems.append((_line(loc_v, lines), dotted(loc_v), str(exc)))
                        continue
                    try:
                        check.params.model_validate(decl.params)
                    except ValidationError as exc:
                        for err in exc.errors(include_url=False):
                            problems.append(_pydantic_problem(err, check.params, (*loc, "params"), lines))
    return problems


def _pydantic_problem(
    err: Any, root: type[BaseModel], prefix: Loc, lines: dict[Loc, int]
) -> tuple[int | None, str, str]:
    loc = tuple(x for x in err["loc"] if x != "[key]")
    full = (*prefix, *loc)
    kind, msg, value = err["type"], err["msg"], err.get("input")
    if kind == "missing":
        text = "required, but missing"
    elif kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        allowed = sorted(parent.model_fields) if parent is not None else []
        key = full[-1]
        close = difflib.get_close_matches(str(key), allowed, n=1)
        text = f"unknown key {str(key)!r}"
        if close:
            text += f" (did you mean {close[0]}?)"
        elif allowed:
            text += f" (allowed: {', '.join(allowed)})"
        elif parent is not None:
            text += " (this takes no parameters)"
    elif kind in ("model_type", "dict_type"):
        text = f"expected a mapping, got {_kind(value)}"
    elif kind == "list_type":
        text = f"expected a list, got {_kind(value)}"
    elif kind == "too_short" and isinstance(value, list | dict | str):
        text = "must not be empty"
    elif kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        example = {MILESTONE_ID: "M<number>, e.g. 'M3'", CRITERION_ID: "'M<number>.<name>', e.g. 'M3.adam'",
                   PHASE_ID: "a short slug, e.g. 'foundations' or 'P1'"}.get(pattern, f"matching {pattern}")
        text = f"{_short(value)} is not a valid id: expected {example}"
    elif kind.endswith("_type") or kind in ("literal_error", "bool_parsing", "int_parsing", "float_parsing"):
        text = f"{msg[0].lower()}{msg[1:]}, got {_kind(value)}"
    else:
        text = f"{msg[0].lower()}{msg[1:]}" if msg else kind
    return _line(full, lines), dotted(full), text


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model at a path of field names and list indices below ``root``, if any."""
    model: type[BaseModel] | None = root
    for step in loc:
        if isinstance(step, int):
            continue
        field = model.model_fields.get(step) if model is not None else None
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _line(loc: Loc, lines: dict[Loc, int]) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _kind(value: Any) -> str:
    if value is None:
        return "an empty value (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {_short(value)}"


def _short(value: Any, limit: int = 50) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
