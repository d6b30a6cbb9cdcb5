"""Read and write the YAML form of a framework, keeping line numbers for errors."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import InputError, Problem
from .keys import dump_keys
from .model import Framework, text_in


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


def read_yaml_with_lines(text: str, file: str):
    """Parse YAML; return (data, {path: line}) and refuse duplicate keys."""
    try:
        root = yaml.compose(text, Loader=LOADER)
        data = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        msg = getattr(exc, "problem", None) or str(exc)
        raise InputError(Problem(f"not valid YAML: {msg}", file=file, line=line,
                                 fix="check indentation and quoting on that line")) from None
    lines: dict[tuple, int] = {}
    problems: list[Problem] = []

    def walk(node, path):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            keys = set()
            for k, v in node.value:
                key = _loaded_key(k)
                if key in keys:
                    problems.append(Problem(f"duplicate key {key!r}", file=file,
                                            line=k.start_mark.line + 1, fix="write each key once"))
                keys.add(key)
                # safe_load may type the key (e.g. int); match the loaded dict's key
                walk(v, path + (_loaded_key(k),))
                lines.setdefault(path + (_loaded_key(k),), k.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    if problems:
        raise InputError(problems)
    return data, lines


def _loaded_key(k):
    if not isinstance(k, yaml.ScalarNode):
        return repr(k)
    return yaml.safe_load(k.value) if k.tag.endswith((":int", ":float", ":bool")) else k.value


def locator_for_lines(lines: dict[tuple, int]):
    def locate(path: tuple) -> dict:
        p = tuple(path)
        while p and p not in lines:
            p = p[:-1]
        return {"line": lines.get(p)} if p in lines or not p else {}
    return locate


def load_framework_yaml(path: Path):
    from .parse import build_framework

    text = _read_text(path)
    data, lines = read_yaml_with_lines(text, str(path))
    if data is None:
        raise InputError(Problem("the framework file is empty", file=str(path),
                                 fix="add 'id', 'name' and 'tree'"))
    return build_framework(data, locator_for_lines(lines), str(path))


def _read_text(path: Path) -> str:
    raw = Path(path).read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(Problem("cannot decode the file as UTF-8 or GB18030", file=str(path),
                             fix="save the file as UTF-8"))


def node_to_dict(node) -> dict:
    out: dict = {"id": node.id}
    if node.name:
        out["name"] = dict(node.name) if len(node.name) > 1 or "en" not in node.name else node.name["en"]
    if node.description is not None:
        out["description"] = node.description
    if node.weight != 1:
        out["weight"] = _num(node.weight)
    if node.is_indicator:
        if node.unit is not None:
            out["unit"] = node.unit
        if node.direction != 1:
            out["direction"] = node.direction
        if node.transform:
            out["transform"] = node.transform
        if node.goalposts:
            out["goalposts"] = [_num(v) for v in node.goalposts]
        if node.clip is not None:
            out["clip"] = node.clip
        if node.target is not None:
            out["target"] = _num(node.target)
        if node.normalise:
            out["normalise"] = node.normalise.to_yaml()
    else:
        for step in ("aggregate", "weights"):
            if getattr(node, step):
                out[step] = getattr(node, step).to_yaml()
        if node.min_coverage is not None:
            out["min_coverage"] = node.min_coverage
    out.update(dump_keys(node))
    if node.children:
        out["children"] = [node_to_dict(c) for c in node.children]
    return out


def _num(v: float):
    return int(v) if float(v).is_integer() else float(v)


def framework_to_dict(fw: Framework) -> dict:
    out: dict = {"id": fw.id}
    if fw.name:
        out["name"] = dict(fw.name)
    if fw.description is not None:
        out["description"] = fw.description
    for step, choice in fw.defaults.items():
        out[step] = choice.to_yaml()
    if fw.min_coverage != 0.5:
        out["min_coverage"] = fw.min_coverage
    if fw.data_columns:
        out["data_columns"] = list(fw.data_columns)
    out.update(dump_keys(fw))
    out["tree"] = node_to_dict(fw.tree)
    return out


def dump_framework_yaml(fw: Framework) -> str:
    return yaml.safe_dump(framework_to_dict(fw), allow_unicode=True, sort_keys=False, width=100)


__all__ = ["load_framework_yaml", "dump_framework_yaml", "framework_to_dict", "text_in"]
