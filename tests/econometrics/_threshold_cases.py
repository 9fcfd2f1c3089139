"""Small simulated panels with a known threshold, and a brute-force SSR(γ) that shares no
code with ``cityres.econometrics.threshold`` (pandas demeaning + numpy lstsq per
candidate)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd


def threshold_panel(seed: int, *, n_entities: int = 30, n_periods: int = 5,
                    beta: Sequence[float] = (1.0, 2.0), gammas: Sequence[float] = (0.5,),
                    ties: bool = True, year_shocks: bool = False) -> pd.DataFrame:
    """``y = μ_i + β_j x 1(regime j) + 0.5 z + e``, q ~ U(0, 1) (rounded to 2 decimals
    when ``ties``, so many observations share a value of q)."""
    rng = np.random.default_rng(seed)
    n = n_entities * n_periods
    ent = np.repeat(np.arange(1, n_entities + 1), n_periods)
    year = np.tile(np.arange(2001, 2001 + n_periods), n_entities)
    q = rng.uniform(size=n)
    if ties:
        q = np.round(q, 2)
    x = rng.normal(size=n) + 0.3 * q
    z = rng.normal(size=n)
    regime = np.searchsorted(np.asarray(gammas), q, side="left")
    y = (rng.normal(size=n_entities)[ent - 1] + np.asarray(beta)[regime] * x + 0.5 * z
         + rng.normal(size=n))
    if year_shocks:
        y = y + rng.normal(scale=2.0, size=n_periods)[year - 2001]
    return pd.DataFrame({"id": ent, "t": year, "y": y, "x": x, "q": q, "z": z})


def regime_columns(df: pd.DataFrame, regime: Sequence[str], gammas: Sequence[float]
                   ) -> pd.DataFrame:
    """``<x>_r1``, ``<x>_r2``, … with regime j = γ_{j−1} < q ≤ γ_j."""
    g = sorted(gammas)
    bounds = [-math.inf, *g, math.inf]
    out = {}
    for v in regime:
        for j in range(len(g) + 1):
            inside = (df["q"] > bounds[j]) & (df["q"] <= bounds[j + 1])
            out[f"{v}_r{j + 1}"] = df[v] * inside
    return pd.DataFrame(out, index=df.index)


def demean(frame: pd.DataFrame, df: pd.DataFrame, two_way: bool) -> pd.DataFrame:
    """Entity-demeaned columns (and period-demeaned after, with ``two_way``)."""
    out = frame - frame.groupby(df["id"]).transform("mean")
    if two_way:
        out = out - out.groupby(df["t"]).transform("mean")
    return out


def brute_ssr(df: pd.DataFrame, gammas: Sequence[float], *, regime: Sequence[str] = ("x",),
              controls: Sequence[str] = ("z",), two_way: bool = False) -> float:
    """SSR of the within regression with the regimes cut at ``gammas``."""
    X = pd.concat([regime_columns(df, regime, gammas), df[list(controls)]], axis=1)
    Xw = demean(X, df, two_way).to_numpy()
    yw = demean(df[["y"]], df, two_way).to_numpy().ravel()
    b, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
    r = yw - Xw @ b
    return float(r @ r)


def brute_candidates(q: np.ndarray, fixed: Sequence[float], trim: float) -> list[float]:
    """Distinct values of q whose split leaves every regime ≥ ⌈trim · n⌉ observations."""
    n = q.size
    need = max(math.ceil(round(trim * n, 9)), 10)
    out = []
    for g in np.unique(q):
        cuts = sorted([*fixed, g])
        if len(set(cuts)) < len(cuts):
            continue
        sizes = np.bincount(np.searchsorted(np.asarray(cuts), q, side="left"),
                            minlength=len(cuts) + 1)
        if sizes.min() >= need:
            out.append(float(g))
    return out


def brute_search(df: pd.DataFrame, fixed: Sequence[float], trim: float,
                 **kw: object) -> tuple[float, float, dict[float, float]]:
    """``(argmin γ, min SSR, {γ: SSR})`` over the admissible candidates given ``fixed``."""
    ssr = {g: brute_ssr(df, [*fixed, g], **kw)  # type: ignore[arg-type]
           for g in brute_candidates(df["q"].to_numpy(), fixed, trim)}
    best = min(ssr, key=lambda g: (ssr[g], g))
    return best, ssr[best], ssr
