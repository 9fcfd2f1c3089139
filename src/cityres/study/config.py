"""Load and validate a study file (TOML).

.. code-block:: toml

    [study]
    title = { zh = "长三角城市韧性", en = "YRD city resilience" }
    seed = 20240501

    [data]
    dataset = "yrd_sim"            # a bundled dataset, or:
    # path = "yearbook.xlsx"       # relative to the study file
    # layout = "wide"              # plus any read_panel keyword
    # geometry = "yrd41"           # attach bundled polygons to your own data

    [[transform]]                  # optional, applied in order
    op = "winsorize"
    columns = ["gdp_pc"]

    [[steps]]
    step = "describe"              # a registered step; other keys are its parameters
    id = "descriptives"            # optional (default: the step name)

Every problem is reported at once, each with its key and line.
"""

from __future__ import annotations

import inspect
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cityres._shared.errors import StudyConfigError, format_choices
from cityres.report.i18n import Lang, Text
from cityres.study.params import build_params
from cityres.study.registry import StepSpec, registered_steps
from cityres.study.toml_lines import key_lines, where

#: Panel methods a ``[[transform]]`` may call.
TRANSFORMS = (
    "select", "balance", "interpolate", "ln", "per_capita", "deflate", "winsorize", "lag",
    "lead",
)
READ_KEYS = (
    "city", "year", "sheet", "layout", "names", "variable", "columns", "nonnegative",
    "coerce", "scope",
)
_TOP = ("study", "data", "transform", "steps")


@dataclass(frozen=True)
class DataSpec:
    """Where the study's data come from."""

    dataset: str | None
    paths: tuple[Path, ...]
    read: Mapping[str, Any]
    geometry: str | None


@dataclass(frozen=True)
class TransformSpec:
    """One panel transformation: the method name and its keyword arguments."""

    op: str
    kwargs: Mapping[str, Any]
    where: str


@dataclass(frozen=True)
class StepCall:
    """One step of the study with validated parameters."""

    id: str
    spec: StepSpec
    params: Any
    where: str


@dataclass(frozen=True)
class StudyConfig:
    """A validated study."""

    path: Path
    text: str
    title: Text
    seed: int
    lang: Lang
    data: DataSpec
    transforms: tuple[TransformSpec, ...]
    steps: tuple[StepCall, ...]


def _text(value: Any, default: Text) -> Text | None:
    if value is None:
        return default
    if isinstance(value, str):
        return Text(value, value)
    if isinstance(value, dict) and set(value) <= {"zh", "en"} and value:
        zh = str(value.get("zh", value.get("en")))
        return Text(zh, str(value.get("en", zh)))
    return None


def load_study(path: str | Path) -> StudyConfig:
    """Read and validate a study file; raise one StudyConfigError listing every problem."""
    path = Path(path)
    if not path.exists():
        raise StudyConfigError(f"{path}: no such study file")
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyConfigError(f"{path}: not valid TOML: {exc}") from exc
    lines = key_lines(text)

    def loc(p: str) -> str:
        w = where(lines, p)
        return f"{p} ({w})" if w else p

    errors: list[str] = []
    for key in raw:
        if key not in _TOP:
            errors.append(f"{loc(key)}: unknown section; accepted: {format_choices(_TOP)}")

    study = raw.get("study", {})
    title = _text(study.get("title"), Text("城市韧性研究", "City resilience study"))
    if title is None:
        errors.append(f"{loc('study.title')}: expected a string or {{ zh = ..., en = ... }}")
        title = Text("", "")
    seed = study.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        errors.append(f"{loc('study.seed')}: expected a non-negative integer; got {seed!r}")
        seed = 0
    lang = study.get("lang", "zh")
    if lang not in ("zh", "en"):
        errors.append(f"{loc('study.lang')}: expected 'zh' or 'en'; got {lang!r}")
        lang = "zh"
    for key in study:
        if key not in ("title", "seed", "lang", "name", "description"):
            errors.append(f"{loc('study.' + key)}: unknown key; accepted: title, seed, lang, "
                          "name, description")

    data = _data_spec(raw.get("data"), path.parent, loc, errors)
    transforms = _transforms(raw.get("transform", []), loc, errors)
    steps = _steps(raw.get("steps"), loc, errors, lambda p: where(lines, p))
    if errors:
        raise StudyConfigError(f"{path}: {len(errors)} problem(s):\n" +
                               "\n".join(f"  - {e}" for e in errors))
    assert data is not None
    return StudyConfig(path, text, title, seed, lang, data, tuple(transforms), tuple(steps))


def _data_spec(raw: Any, base: Path, loc: Any, errors: list[str]) -> DataSpec | None:
    if not isinstance(raw, dict):
        errors.append(f"{loc('data')}: missing [data] section (dataset = \"...\" or path = ...)")
        return None
    dataset, path_value = raw.get("dataset"), raw.get("path")
    if (dataset is None) == (path_value is None):
        errors.append(f"{loc('data')}: give exactly one of data.dataset or data.path")
    paths: list[Path] = []
    if dataset is not None:
        from cityres.datasets._registry import all_datasets

        names = [d.name for d in all_datasets()]
        if dataset not in names:
            errors.append(f"{loc('data.dataset')}: unknown dataset {dataset!r}; bundled: "
                          f"{format_choices(names)}")
    if path_value is not None:
        items = path_value if isinstance(path_value, list) else [path_value]
        for item in items:
            if not isinstance(item, str):
                errors.append(f"{loc('data.path')}: expected a file path string; got {item!r}")
                continue
            p = Path(item) if Path(item).is_absolute() else base / item
            if not p.exists():
                errors.append(f"{loc('data.path')}: data file not found: {p}")
            paths.append(p)
    read = {k: v for k, v in raw.items() if k not in ("dataset", "path", "geometry")}
    for key in read:
        if key not in READ_KEYS:
            errors.append(f"{loc('data.' + key)}: unknown key; accepted: dataset, path, "
                          f"geometry, {', '.join(READ_KEYS)}")
    if dataset is not None and read:
        errors.append(f"{loc('data')}: read options ({', '.join(read)}) apply to data.path only")
    geometry = raw.get("geometry")
    if geometry not in (None, "yrd41"):
        errors.append(f"{loc('data.geometry')}: accepted: 'yrd41'; got {geometry!r}")
    return DataSpec(dataset, tuple(paths), read, geometry)


def _transforms(raw: Any, loc: Any, errors: list[str]) -> list[TransformSpec]:
    from cityres.data.panel import CityPanel

    if not isinstance(raw, list):
        errors.append(f"{loc('transform')}: write transformations as [[transform]] tables")
        return []
    out = []
    for i, item in enumerate(raw):
        p = f"transform[{i}]"
        op = item.get("op")
        if op not in TRANSFORMS:
            errors.append(f"{loc(p + '.op')}: unknown op {op!r}; accepted: "
                          f"{format_choices(TRANSFORMS)}")
            continue
        accepted = [n for n in inspect.signature(getattr(CityPanel, op)).parameters
                    if n != "self"]
        kwargs = {k: v for k, v in item.items() if k != "op"}
        bad = [k for k in kwargs if k not in accepted]
        for k in bad:
            errors.append(f"{loc(p + '.' + k)}: {op} takes no {k!r}; accepted: "
                          f"{format_choices(accepted)}")
        if not bad:
            out.append(TransformSpec(op, kwargs, loc(p)))
    return out


def _steps(raw: Any, loc: Any, errors: list[str], line_of: Any) -> list[StepCall]:
    if not isinstance(raw, list) or not raw:
        errors.append(f"{loc('steps')}: no steps; add [[steps]] tables with step = \"...\"")
        return []
    known = registered_steps()
    out: list[StepCall] = []
    seen: set[str] = set()
    seen_names: set[str] = set()
    for i, item in enumerate(raw):
        p = f"steps[{i}]"
        name = item.get("step")
        if name not in known:
            errors.append(f"{loc(p + '.step')}: unknown step {name!r}; registered steps: "
                          f"{format_choices(sorted(known))}")
            continue
        spec = known[name]
        sid = item.get("id", name)
        if not isinstance(sid, str) or not sid.replace("_", "").replace("-", "").isalnum():
            errors.append(f"{loc(p + '.id')}: ids are letters, digits, '-' and '_'; got {sid!r}")
            continue
        if sid in seen:
            errors.append(f"{loc(p + '.id')}: id {sid!r} is used twice; give each step its "
                          "own id")
            continue
        for need in spec.needs:
            if need not in seen_names:
                errors.append(f"{loc(p)}: step {name!r} needs a {need!r} step before it")
        seen.add(sid)
        seen_names.add(name)
        raw_params = {k: v for k, v in item.items() if k not in ("step", "id")}
        params, errs = build_params(spec.params, raw_params, path=p, locate=line_of)
        errors.extend(errs)
        if params is not None:
            out.append(StepCall(sid, spec, params, loc(p)))
    return out
