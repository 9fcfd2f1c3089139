"""Robustness checks of a baseline FE regression: each check changes the data or the
specification in one stated way, the change is logged, and the model is re-estimated.

Checks (a list of small mappings, as a study file writes them):

==============================  =========================================================
``{"lag": 1}``                  core regressors and controls lagged by 1 year (the first
                                year(s) are dropped, logged)
``{"y": "column"}``             an alternative dependent variable
``{"x": "column"}``             an alternative core regressor (e.g. the index built with
                                another weighting method)
``{"drop": "municipalities"}``  drop municipalities, ``provincial_capitals``,
                                ``sub_provincial``, ``separately_planned`` cities, a list
                                of those, or a list of city codes
``{"winsorize": [0.01, 0.99]}`` y, x and controls winsorised (pooled) at those quantiles
``{"years": [2011, 2019]}``     a subperiod (first and last year, inclusive)
``{"effects": "individual"}``   other fixed effects; ``{"cluster": "province"}`` other
                                clusters
==============================  =========================================================

A check may combine keys (``{"drop": "municipalities", "lag": 1}``) and may carry a
``label``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices
from cityres.data.panel import CityPanel
from cityres.econometrics._frame import Effects, check_effects
from cityres.econometrics.fe import FEResult, Vcov, fit_fe

ROLES = ("municipalities", "provincial_capitals", "sub_provincial", "separately_planned")
_ROLE_COLUMN = {"municipalities": "municipality", "provincial_capitals": "provincial_capital",
                "sub_provincial": "sub_provincial", "separately_planned": "separately_planned"}
KEYS = ("label", "lag", "y", "x", "drop", "winsorize", "years", "effects", "cluster")


@dataclass(frozen=True)
class RobustnessResult:
    """The baseline and every check, re-estimated.

    Attributes
    ----------
    labels : tuple of str
        ``"baseline"`` then one label per check.
    models : tuple of FEResult
        In the order of ``labels``.
    core : tuple of str
        The core regressor(s) of each model (an ``x`` check renames it).
    changes : tuple of str
        Per model, what the check changed in the data (dropped cities and years,
        winsorised cells), from the panel's change log.
    """

    labels: tuple[str, ...]
    models: tuple[FEResult, ...]
    core: tuple[tuple[str, ...], ...]
    changes: tuple[str, ...]

    def tidy(self) -> pd.DataFrame:
        """One row per model and core regressor: estimate, std_error, p, nobs, change."""
        rows = []
        for label, m, core, ch in zip(self.labels, self.models, self.core, self.changes,
                                      strict=True):
            for x in core:
                rows.append({"check": label, "term": x, "estimate": float(m.params[x]),
                             "std_error": float(m.std_errors[x]), "p": float(m.pvalues[x]),
                             "nobs": m.nobs, "dep_var": m.dep_var, "change": ch})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The core estimates of every check, one line each."""
        return self.tidy().to_string(index=False, float_format=lambda v: f"{v:.4f}")


def drop_cities(panel: CityPanel, which: str | Sequence[str]) -> CityPanel:
    """The panel without municipalities, provincial capitals, sub-provincial or separately
    planned cities (names from :data:`ROLES`, one or a list), or without listed city codes.

    Roles come from :func:`cityres.datasets.china.city_roles` (valid from 1997). The
    dropped cities are recorded in the panel's change log.

    Raises
    ------
    ArgumentError
        An unknown role or a code not in the panel; a drop that leaves no city.

    Examples
    --------
    >>> import cityres
    >>> p = drop_cities(cityres.datasets.load("yrd_sim"), ["municipalities",
    ...                                                    "provincial_capitals"])
    >>> len(p.city_ids)
    37
    """
    from cityres.datasets.china import city_roles

    items = [which] if isinstance(which, str) else list(which)
    if not items:
        raise ArgumentError("drop: give a role or city codes to drop")
    roles = city_roles()
    codes: set[str] = set()
    for item in items:
        if item in ROLES:
            codes |= set(roles.index[roles[_ROLE_COLUMN[item]]])
        elif isinstance(item, str) and item.isdigit():
            if item not in panel.city_ids:
                raise ArgumentError(f"drop: city {item!r} is not in the panel")
            codes.add(item)
        else:
            raise ArgumentError(f"drop: {item!r} is neither a role ({format_choices(ROLES)}) "
                                "nor a city code of the panel")
    keep = [c for c in panel.city_ids if c not in codes]
    if not keep:
        raise ArgumentError(f"drop={which!r} leaves no city in the panel")
    return panel.select(cities=keep) if len(keep) < len(panel.city_ids) else panel


def _check(spec: object, i: int) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise ArgumentTypeError(f"checks[{i}]: expected a mapping such as {{'lag': 1}}; got "
                                f"{type(spec).__name__}")
    unknown = [k for k in spec if k not in KEYS]
    if unknown or not [k for k in spec if k != "label"]:
        raise ArgumentError(f"checks[{i}]: unknown key(s) {unknown} or nothing to change; "
                            f"accepted: {format_choices(KEYS)}")
    return dict(spec)


def _label(spec: Mapping[str, Any]) -> str:
    if "label" in spec:
        return str(spec["label"])
    parts = []
    for k, v in spec.items():
        if k == "drop":
            parts.append("drop " + (v if isinstance(v, str) else ", ".join(map(str, v))))
        elif k == "winsorize":
            parts.append(f"winsorised {v[0]:g}–{v[1]:g}")
        elif k == "years":
            parts.append(f"{v[0]}–{v[1]}")
        elif k == "lag":
            parts.append(f"lag {v}")
        else:
            parts.append(f"{k} = {v}")
    return "; ".join(parts)


def _describe(log: pd.DataFrame) -> str:
    """What a check's log entries changed, in words (derived columns are not changes)."""
    parts = []
    dropped = log.loc[log["action"] == "dropped_city", "city"].tolist()
    if dropped:
        parts.append(f"dropped {len(dropped)} cities ({', '.join(map(str, dropped))})")
    clipped = int((log["action"] == "clipped").sum())
    if clipped:
        parts.append(f"{clipped} cells winsorised")
    parts += log.loc[log["action"] == "selected", "detail"].tolist()
    return "; ".join(parts)


def robustness(panel: CityPanel, y: str, x: str | Sequence[str], *,
               checks: Sequence[Mapping[str, Any]], controls: Sequence[str] = (),
               effects: Effects = "twoways", vcov: Vcov = "cluster",
               cluster: str | None = None) -> RobustnessResult:
    """Re-estimate the baseline ``y ~ x + controls`` under each robustness check.

    Parameters
    ----------
    panel : CityPanel
        The data (a panel, so every change is logged).
    y, x, controls
        The baseline specification.
    checks : sequence of mapping
        The checks (see the module docstring).
    effects, vcov, cluster
        As :func:`cityres.econometrics.fit_fe`, for the baseline and every check unless
        a check changes them.

    Returns
    -------
    RobustnessResult

    Raises
    ------
    ArgumentError
        An unknown check key or value (the message lists the accepted ones).

    Examples
    --------
    >>> import cityres
    >>> r = robustness(cityres.datasets.load("yrd_sim"), "resilience", "de_latent",
    ...                controls=["gdp_pc"], checks=[{"lag": 1}, {"drop": "municipalities"}])
    >>> r.labels
    ('baseline', 'lag 1', 'drop municipalities')
    """
    if not isinstance(panel, CityPanel):
        raise ArgumentTypeError("robustness needs a CityPanel (so each check's changes are "
                                f"logged); got {type(panel).__name__}")
    core = (x,) if isinstance(x, str) else tuple(x)
    check_effects(effects)
    specs = [_check(s, i) for i, s in enumerate(checks)]
    labels, models, cores, changes = ["baseline"], [], [core], [""]
    models.append(fit_fe(f"{y} ~ " + " + ".join([*core, *controls]), panel, effects=effects,
                         vcov=vcov, cluster=cluster))
    for i, spec in enumerate(specs):
        p, yy, xx, ctrl = panel, str(spec.get("y", y)), core, tuple(controls)
        if "x" in spec:
            new = spec["x"]
            xx = (new,) if isinstance(new, str) else tuple(new)
        start = len(p.log)
        if "drop" in spec:
            p = drop_cities(p, spec["drop"])
        if "years" in spec:
            span = spec["years"]
            if not (isinstance(span, Sequence) and len(span) == 2):
                raise ArgumentError(f"checks[{i}].years: give [first, last]; got {span!r}")
            p = p.select(years=[t for t in p.years if int(span[0]) <= t <= int(span[1])])
        if "winsorize" in spec:
            lim = spec["winsorize"]
            p = p.winsorize([yy, *xx, *ctrl], limits=(float(lim[0]), float(lim[1])))
        if "lag" in spec:
            k = spec["lag"]
            if isinstance(k, bool) or not isinstance(k, int) or k < 1:
                raise ArgumentError(f"checks[{i}].lag={k!r}; accepted: a positive number of "
                                    "years")
            p = p.lag([*xx, *ctrl], k)
            p = p.select(years=p.years[k:])
            xx, ctrl = tuple(f"L{k}_{c}" for c in xx), tuple(f"L{k}_{c}" for c in ctrl)
        eff = check_effects(spec.get("effects", effects))
        cl = spec.get("cluster", cluster)
        models.append(fit_fe(f"{yy} ~ " + " + ".join([*xx, *ctrl]), p, effects=eff,
                             vcov=vcov if cl is None else "cluster", cluster=cl))
        labels.append(_label(spec))
        cores.append(xx)
        changes.append(_describe(p.log[start:].to_frame()))
    return RobustnessResult(labels=tuple(labels), models=tuple(models), core=tuple(cores),
                            changes=tuple(changes))
