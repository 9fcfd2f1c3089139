"""Regression comparison tables (as Stata's esttab, R's modelsummary and fixest::etable)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal, TypeVar

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices
from cityres.report.i18n import COMMON, Text
from cityres.report.tables._text import (
    EMPTY,
    as_text,
    check_digits,
    format_count,
    format_number,
    lookup,
    optional_text,
    text_tuple,
)
from cityres.report.tables.model import PubTable, Row, Span
from cityres.report.tables.summary import summarize

T = TypeVar("T")

#: Statistics every model can be asked for (a row empty in every model is left out).
STANDARD_STATS = ("nobs", "r2", "adj_r2", "r2_within")
#: Statistics shown as counts (no decimals, thousands separators).
COUNT_STATS = frozenset({"nobs"})


def _percent(threshold: float) -> str:
    return f"{threshold * 100:g}%"


def check_stars(stars: Sequence[float]) -> tuple[float, ...]:
    """Validate significance thresholds; return them from largest to smallest.

    Examples
    --------
    >>> check_stars((0.01, 0.1, 0.05))
    (0.1, 0.05, 0.01)
    """
    if isinstance(stars, str) or not isinstance(stars, Sequence):
        raise ArgumentTypeError(
            f"stars={stars!r}; accepted: a sequence of p-value thresholds such as "
            "(0.1, 0.05, 0.01), or () for no stars"
        )
    values = []
    for t in stars:
        if isinstance(t, bool) or not isinstance(t, int | float) or not 0 < t < 1:
            raise ArgumentError(
                f"stars={tuple(stars)!r}: {t!r} is not a threshold; accepted: numbers "
                "between 0 and 1, e.g. (0.1, 0.05, 0.01)"
            )
        values.append(float(t))
    if len(set(values)) != len(values):
        raise ArgumentError(f"stars={tuple(stars)!r}: thresholds repeat; give each once")
    return tuple(sorted(values, reverse=True))


def star_marks(pvalue: float, stars: Sequence[float]) -> str:
    """One ``*`` for every threshold the p-value is strictly below.

    ``p < threshold`` (strict), as esttab and modelsummary do: with the default thresholds
    p = 0.05 exactly gets ``*``, not ``**``. A missing p-value gets no stars.

    Examples
    --------
    >>> star_marks(0.05, (0.1, 0.05, 0.01)), star_marks(0.0099, (0.1, 0.05, 0.01))
    ('*', '***')
    """
    if pvalue is None or math.isnan(pvalue):
        return ""
    return "*" * sum(1 for t in stars if pvalue < t)


def regression_note(*, stars: Sequence[float] = (0.1, 0.05, 0.01),
                    se: Literal["se", "t"] = "se") -> Text:
    """The standard note of a regression table: what the parentheses hold, what stars mean.

    Examples
    --------
    >>> print(regression_note().en)
    Standard errors in parentheses; * p<0.1, ** p<0.05, *** p<0.01
    >>> print(regression_note(se="t").zh)
    括号内为 t 值；*、**、*** 分别表示在 10%、5%、1% 水平上显著
    """
    thresholds = check_stars(stars)
    _check_se(se)
    zh = "括号内为标准误" if se == "se" else "括号内为 t 值"
    en = "Standard errors in parentheses" if se == "se" else "t statistics in parentheses"
    if thresholds:
        marks = ["*" * (i + 1) for i in range(len(thresholds))]
        pct = "、".join(_percent(t) for t in thresholds)
        if len(thresholds) == 1:
            zh += f"；{marks[0]} 表示在 {pct} 水平上显著"
        else:
            zh += f"；{'、'.join(marks)} 分别表示在 {pct} 水平上显著"
        en += "; " + ", ".join(f"{m} p<{t:g}" for m, t in zip(marks, thresholds, strict=True))
    return Text(zh, en)


def _check_se(se: object) -> None:
    if se not in ("se", "t"):
        raise ArgumentError(f"se={se!r}; accepted: 'se' (standard errors) or 't' (t statistics)")


def _names(value: Sequence[str] | str | None, argument: str, available: list[str]) -> list[str]:
    if value is None:
        return []
    names = [value] if isinstance(value, str) else list(value)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ArgumentError(
            f"{argument}: unknown coefficient name(s) {unknown}; the models have "
            f"{format_choices(available)}"
        )
    return names


def _per_model(values: Sequence[T], argument: str, n: int) -> list[T]:
    if isinstance(values, str | Text) or not isinstance(values, Sequence):
        raise ArgumentTypeError(
            f"{argument}: expected a sequence with one value per model ({n}), received "
            f"{type(values).__name__}"
        )
    if len(values) != n:
        raise ArgumentError(
            f"{argument}: received {len(values)} value(s) for {n} model(s); give one per model"
        )
    return list(values)


def _row_value(value: object, labels: Mapping[str, Text | str] | None) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, bool):
        return lookup("Yes" if value else "No", labels)
    if isinstance(value, str):
        return lookup(value, labels) if value else EMPTY
    if value is None:
        return EMPTY
    return as_text(str(value))


def _groups(values: list[Text]) -> tuple[Span, ...]:
    spans: list[Span] = []
    for v in values:
        if spans and spans[-1].text == v:
            spans[-1] = Span(v, spans[-1].span + 1)
        else:
            spans.append(Span(v))
    return tuple(spans)


def regression_table(
    models: Sequence[object] | Mapping[str, object],
    *,
    labels: Mapping[str, Text | str] | None = None,
    stars: Sequence[float] = (0.1, 0.05, 0.01),
    se: Literal["se", "t"] = "se",
    digits: int = 3,
    keep: Sequence[str] | str | None = None,
    drop: Sequence[str] | str | None = None,
    order: Sequence[str] | str | None = None,
    rows: Mapping[str, Sequence[Text | str | bool | float | None]] | None = None,
    stats: Sequence[str] = ("nobs", "r2"),
    model_names: Sequence[Text | str] | None = None,
    dep_var: Text | str | Sequence[Text | str] | None = None,
    title: Text | str | None = None,
    notes: Sequence[Text | str] | Text | str | None = None,
    stub: Text | str | None = None,
    simulated: bool = False,
) -> PubTable:
    """A table comparing regression models side by side, one column per model.

    For each coefficient, a row with the estimate and its stars and under it the standard
    error (or t statistic) in parentheses; then the extra ``rows`` (controls, fixed
    effects…) and the statistics (N, R²…), after a rule. Columns are headed (1), (2)…,
    with the model names under them and the dependent variable over them when given.

    Parameters
    ----------
    models : sequence of models, or mapping of name to model
        Fitted models: :class:`ModelSummary`, statsmodels and linearmodels results, pyfixest
        ``Feols`` (a pyfixest ``FixestMulti`` counts as its models, in order), or anything
        :func:`summarize` accepts. A mapping's keys are the model names.
    labels : mapping of str to Text, optional
        Labels of coefficient names, row names, row values and statistics; unknown names
        fall back to the built-in table labels (N → 样本量, Yes → 是, const → 常数项,
        City FE → 城市固定效应…), then :data:`cityres.report.i18n.COMMON`, then the name.
    stars : sequence of float
        p-value thresholds, one more star for each one ``p`` is strictly below (default
        ``*`` p<0.1, ``**`` p<0.05, ``***`` p<0.01); ``()`` for no stars.
    se : {"se", "t"}
        Standard errors or t statistics in the parentheses.
    digits : int
        Decimals of estimates, standard errors, t statistics and non-count statistics.
    keep, drop : sequence of str, optional
        Coefficient names to show / to leave out (exact names; order unchanged).
    order : sequence of str, optional
        Coefficient names to put first, in this order; the others follow in their order
        (first appearance across the models).
    rows : mapping of str to sequence, optional
        Extra rows after the coefficients, one value per model, e.g.
        ``{"City FE": ["Yes", "Yes"]}``; strings are translated through the labels
        ("Yes" → 是, "No" → 否), booleans become Yes / No.
    stats : sequence of str
        Statistics rows: ``nobs`` (N, no decimals), ``r2``, ``adj_r2``, ``r2_within`` or a
        key of the models' :attr:`ModelSummary.stats`. A row no model reports is left out.
    model_names : sequence of Text or str, optional
        A header row under (1), (2)… (e.g. OLS, FE, IV).
    dep_var : Text, str or a sequence of them, optional
        The dependent variable over the columns: one for all models, or one per model
        (adjacent equal names are merged into one spanning cell).
    title : Text or str, optional
    notes : Text, str or a sequence of them, optional
        Notes; default :func:`regression_note` for ``stars`` and ``se``. Given notes
        replace the default; add ``regression_note(...)`` to keep it.
    stub : Text or str, optional
        Header of the label column; default 变量 / Variable.
    simulated : bool
        Mark the table as simulated data (a note in every rendering).

    Returns
    -------
    PubTable

    Raises
    ------
    ArgumentError
        No models; an unknown name in ``keep``, ``drop``, ``order`` or ``stats`` (the
        message lists the available ones); ``rows``, ``model_names`` or ``dep_var`` with
        the wrong number of values; bad ``stars``, ``se`` or ``digits``.
    ArgumentTypeError
        A model that lacks coefficients, standard errors, p-values or N.

    Notes
    -----
    An estimate gets ``k`` stars when its p-value is below ``k`` of the thresholds
    (``p < t``, strict). A coefficient a model does not have leaves that model's cells
    empty, as does a missing (NaN) number. N is shown with thousands separators.

    Examples
    --------
    >>> import numpy as np, statsmodels.api as sm, cityres.datasets
    >>> d = np.log(cityres.datasets.load("produc").data[["gsp", "pcap", "pc", "emp"]])
    >>> m1 = sm.OLS(d["gsp"], sm.add_constant(d[["pcap", "pc"]])).fit()
    >>> m2 = sm.OLS(d["gsp"], sm.add_constant(d[["pcap", "pc", "emp"]])).fit()
    >>> t = regression_table([m1, m2], keep=["pcap", "emp"], rows={"Controls": ["No", "Yes"]},
    ...                      dep_var="ln gsp")
    >>> print(t.to_text("en"))
    ==============================
                     ln gsp
              --------------------
    Variable     (1)        (2)
    ------------------------------
    pcap       0.756***   0.151***
              (0.018)    (0.017)
    emp                   0.598***
                         (0.014)
    ------------------------------
    Controls     No         Yes
    N            816        816
    R²         0.975      0.992
    ==============================
    Standard errors in parentheses; * p<0.1, ** p<0.05, *** p<0.01
    """
    if isinstance(models, Mapping):
        names_from_keys: list[Text | str] | None = [str(k) for k in models]
        items = list(models.values())
    elif isinstance(models, Sequence) and not isinstance(models, str):
        names_from_keys, items = None, list(models)
    else:
        raise ArgumentTypeError(
            f"models: expected a sequence or a mapping of fitted models, received "
            f"{type(models).__name__}"
        )
    expanded: list[tuple[str, object]] = []
    for i, m in enumerate(items):
        to_list = getattr(m, "to_list", None)
        if callable(to_list) and hasattr(m, "all_fitted_models"):  # pyfixest FixestMulti
            expanded += [(f"models[{i}][{k}]", sub) for k, sub in enumerate(to_list())]
        else:
            expanded.append((f"models[{i}]", m))
    if not expanded:
        raise ArgumentError("models: received no models; accepted: one or more fitted models")
    summaries = [summarize(m, where=where) for where, m in expanded]
    n = len(summaries)
    thresholds = check_stars(stars)
    _check_se(se)
    digits = check_digits(digits, "digits")
    if names_from_keys is not None and len(names_from_keys) != n:
        names_from_keys = None  # a FixestMulti among the values: keys no longer line up
    if model_names is None:
        model_names = names_from_keys

    available: list[str] = []
    for s in summaries:
        available += [name for name in s.params.index if name not in available]
    shown = list(available)
    if keep is not None:
        kept = set(_names(keep, "keep", available))
        shown = [c for c in shown if c in kept]
    dropped = set(_names(drop, "drop", available))
    shown = [c for c in shown if c not in dropped]
    first = [c for c in _names(order, "order", available) if c in shown]
    shown = first + [c for c in shown if c not in first]

    body: list[Row] = []
    for name in shown:
        estimates, inner = [], []
        for s in summaries:
            if name not in s.params.index:
                estimates.append(EMPTY)
                inner.append(EMPTY)
                continue
            b = float(s.params[name])
            second = float(s.std_errors[name] if se == "se" else s.t_values()[name])
            marks = star_marks(float(s.pvalues[name]), thresholds)
            est = "" if math.isnan(b) else format_number(b, digits) + marks
            par = "" if math.isnan(second) else f"({format_number(second, digits)})"
            estimates.append(as_text(est))
            inner.append(as_text(par))
        body.append(Row(lookup(name, labels), tuple(estimates)))
        body.append(Row(EMPTY, tuple(inner)))

    extra: list[Row] = []
    for key, values in (rows or {}).items():
        cells = _per_model(values, f"rows[{key!r}]", n)
        extra.append(Row(lookup(str(key), labels), tuple(_row_value(v, labels) for v in cells)))
    if isinstance(stats, str):
        stats = (stats,)
    known = list(STANDARD_STATS)
    for s in summaries:
        known += [k for k in s.stats if k not in known]
    unknown = [k for k in stats if k not in known]
    if unknown:
        raise ArgumentError(
            f"stats: unknown statistic(s) {unknown}; the models have {format_choices(known)}"
        )
    for key in stats:
        values_ = [s.stat(key) for s in summaries]
        if all(v is None for v in values_):
            continue
        cells_ = tuple(
            EMPTY if v is None
            else as_text(format_count(v) if key in COUNT_STATS else format_number(v, digits))
            for v in values_
        )
        extra.append(Row(lookup(key, labels), cells_))

    header: list[tuple[Span, ...]] = []
    if dep_var is not None:
        if isinstance(dep_var, Text | str):
            header.append((Span(as_text(dep_var), n),))
        else:
            per_model = _per_model(dep_var, "dep_var", n)
            header.append(_groups(list(text_tuple(per_model, "dep_var"))))
    header.append(tuple(Span(Text(f"({j})", f"({j})")) for j in range(1, n + 1)))
    if model_names is not None:
        names = text_tuple(_per_model(model_names, "model_names", n), "model_names")
        header.append(tuple(Span(t) for t in names))
    if notes is None:
        note_texts: tuple[Text, ...] = (regression_note(stars=thresholds, se=se),)
    else:
        note_texts = text_tuple(notes, "notes")
    return PubTable(
        header=tuple(header),
        rows=tuple(body + extra),
        stub=COMMON["variable"] if stub is None else as_text(stub),
        title=optional_text(title, "title"),
        notes=note_texts,
        rules=(len(body),) if body and extra else (),
        simulated=simulated,
    )

