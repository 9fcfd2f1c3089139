"""``simulate``: the yrd_sim structural model on the 41 YRD cities or a lattice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres._shared.rng import as_seed_sequence
from cityres.datasets.sim import indicators, latent, outcome, sectors, truth
from cityres.datasets.sim import units as _units
from cityres.datasets.sim.codebook import codebook
from cityres.datasets.sim.params import MEDIATORS, SECTORS, resolve_params

if TYPE_CHECKING:
    import libpysal

    from cityres.data.panel import CityPanel

STREAMS = ("units", "cities", "digital", "ecommerce", "mediators", "controls", "outcome_fe",
           "shock", "sectors", "outcome", "dimensions", "indicators", "effects")
MAX_UNITS = 1_000_000


@dataclass(frozen=True)
class SimulatedData:
    """A simulated panel with its truth.

    Attributes
    ----------
    data : pandas.DataFrame
        Long table: ``city`` (str id), ``year`` (int), then the variables of ``variables``
        in order; sorted by city and year. Every value is SIMULATED.
    cities : pandas.DataFrame
        One row per unit, indexed by ``code``: name_zh, name_en, province, province_zh,
        region, lat, lon, the prior classes (size_tier, dev_tier, open_tier) and the
        simulated classes used by the heterogeneity (size_class, open_group) and
        phones_1984.
    truth : dict
        JSON-ready nested dict of every true parameter (see docs/data/yrd_sim.md).
    variables : pandas.DataFrame
        Codebook indexed by column name: label_en, label_zh, unit, group, dimension,
        direction, description (each starts with "SIMULATED").
    neighbours : dict
        The binary contiguity used: unit id -> tuple of neighbour ids.
    weights : scipy.sparse.csr_matrix
        The row-standardised contiguity matrix in the order of ``cities.index``.
    """

    data: pd.DataFrame
    cities: pd.DataFrame
    truth: dict[str, Any]
    variables: pd.DataFrame
    neighbours: dict[str, tuple[str, ...]] = field(repr=False)
    weights: sp.csr_matrix = field(repr=False)

    def __repr__(self) -> str:
        t = self.truth
        return (f"SimulatedData(SIMULATED, units={t['units']!r}, n_cities={t['n_cities']}, "
                f"years={t['years'][0]}-{t['years'][-1]}, seed={t['seed']}, "
                f"columns={self.data.shape[1] - 2})")

    def libpysal_weights(self) -> libpysal.weights.W:
        """The contiguity as a binary :class:`libpysal.weights.W` (ids = city ids)."""
        import libpysal

        return libpysal.weights.W({k: list(v) for k, v in self.neighbours.items()},
                                  id_order=list(self.cities.index), silence_warnings=True)

    def to_panel(self) -> CityPanel:
        """A :class:`~cityres.data.CityPanel` flagged as simulated (no geometry)."""
        from cityres.data.panel import CityPanel

        return CityPanel.from_frame(
            self.data, cities=self.cities, variables=self.variables,
            meta={"name": "simulated", "simulated": True,
                  "sources": [f"SIMULATED by cityres.datasets.simulate (seed "
                              f"{self.truth['seed']}); see docs/data/yrd_sim.md"]},
        )


def _check(n_cities: int | None, years: Sequence[int],
           units_kind: str | None) -> tuple[str, int | None, np.ndarray]:
    if units_kind not in (None, "yrd41", "lattice"):
        raise ArgumentError(f"units must be 'yrd41', 'lattice' or None; got {units_kind!r}")
    if n_cities is not None and (isinstance(n_cities, bool)
                                 or not isinstance(n_cities, int | np.integer)):
        raise ArgumentTypeError(f"n_cities must be an int or None; got {type(n_cities).__name__}")
    n_cities = None if n_cities is None else int(n_cities)
    if n_cities is not None and not 2 <= n_cities <= MAX_UNITS:
        raise ArgumentError(f"n_cities must be between 2 and {MAX_UNITS:,}; got {n_cities}")
    kind = units_kind or ("yrd41" if n_cities in (None, 41) else "lattice")
    if kind == "yrd41" and n_cities not in (None, 41):
        raise ArgumentError(f"units='yrd41' has 41 cities; got n_cities={n_cities} "
                            "(use units='lattice' for other sizes)")
    if kind == "lattice" and n_cities is None:
        raise ArgumentError("units='lattice' needs n_cities (the number of lattice units)")
    try:
        yrs = np.array(sorted({int(y) for y in years}), dtype=np.int64)
    except (TypeError, ValueError) as err:
        raise ArgumentTypeError(f"years must be a sequence of integers; got {years!r}") from err
    if yrs.size < 2 or yrs.min() < 1990 or yrs.max() > 2100:
        raise ArgumentError(f"years must hold at least two years within 1990-2100; got {years!r}")
    if np.any(np.diff(yrs) != 1):
        raise ArgumentError(f"years must be consecutive (the AR(1) parts step one year at a "
                            f"time); got {yrs.tolist()}")
    return kind, n_cities, yrs


def simulate(
    n_cities: int | None = None,
    years: Sequence[int] = range(2011, 2024),
    seed: int | np.random.SeedSequence | np.random.Generator | None = 20240501,
    *,
    units: Literal["yrd41", "lattice"] | None = None,
    params: str | Mapping[str, Any] | None = None,
) -> SimulatedData:
    r"""Simulate a city panel with known true parameters (SIMULATED data).

    Parameters
    ----------
    n_cities : int or None
        ``None`` or 41: the real 41 YRD cities, their Queen contiguity and the bundled
        pilot calendar. Any other number: a square-ish lattice with rook contiguity and
        random staggered pilot cohorts (ids ``L000001``…).
    years : sequence of int
        Consecutive years to simulate (default 2011–2023). The shock happens in
        ``params['shock']['year']`` (2020) when that year and an earlier one are included.
    seed : int, SeedSequence, Generator or None
        Seed of :class:`numpy.random.SeedSequence`; independent child streams feed each
        block, so the same seed gives the same numbers. ``None`` draws fresh entropy
        (recorded in ``truth['seed']``).
    units : {"yrd41", "lattice"}, optional
        Force the kind of units (``units="lattice", n_cities=41`` gives a 41-unit lattice).
    params : str or mapping, optional
        A preset (``"full"``, ``"homogeneous"``, ``"aspatial"``, ``"simple"``) or nested
        overrides of :data:`~cityres.datasets.sim.params.DEFAULT_PARAMS`.

    Returns
    -------
    SimulatedData
        ``data``, ``cities``, ``truth``, ``variables``, ``neighbours``, ``weights``.

    Raises
    ------
    ArgumentError, ArgumentTypeError
        Bad sizes, years, units or parameter names.

    Notes
    -----
    The core equations (full statement in ``docs/data/yrd_sim.md``):

    .. math::

        D_{it} &= \alpha_i + g t + s_i t + \pi z_i n_{t-1} + \delta\,(1-\lambda^{e+1})
                  \mathbb 1[e_{it}\ge 0] + u_{it},\quad
                  u_t = \phi u_{t-1} + (I-\lambda_D W)^{-1}\varepsilon_t \\
        M_{mit} &= \mu_{mi} + \tau_{mt} + a_m D_{it} + v_{mit} \\
        R_t &= (I-\rho W)^{-1}\big[\mu + \tau_t + \beta_t \circ D_t + \theta W D_t
               + \beta_E E_t + \textstyle\sum_m b_m M_{mt} + X_t\gamma + \epsilon_t\big]

    Examples
    --------
    >>> from cityres.datasets.sim import simulate
    >>> sim = simulate(n_cities=400, seed=1)
    >>> sim.data.shape[0], sim.truth["params"]["outcome"]["rho"]
    (5200, 0.3)
    """
    kind, n, yrs = _check(n_cities, years, units)
    p = resolve_params(params)
    ss = as_seed_sequence(seed)
    rngs = {k: np.random.default_rng(s) for k, s in zip(STREAMS, ss.spawn(len(STREAMS)),
                                                        strict=True)}
    u = _units.yrd41_units() if kind == "yrd41" else _units.lattice_units(
        int(n or 0), rngs["units"], p["lattice"])
    ctx = latent.Ctx(yrs, u.table, u.W, p)
    cities = latent.draw_cities(ctx, rngs["cities"])
    if kind == "lattice":
        det = (ctx.by("dev_tier", p["digital"]["level"])
               + p["digital"]["level_size"] * np.log(cities["pop0"] / 500.0))
        cohorts = _units.lattice_cohorts(det, rngs["units"], p["lattice"],
                                        float(p["lattice"]["selection"]))
    else:
        cohorts = u.cohorts
    dig = latent.digital(ctx, rngs["digital"], cities, cohorts["broadband"])
    D = dig["D"]
    ec = latent.ecommerce(ctx, rngs["ecommerce"], D, cohorts["cbec"], cohorts["ecdemo"])
    sy = int(p["shock"]["year"])
    shock_year = sy if (sy in set(yrs.tolist()) and yrs.min() < sy) else None
    M = latent.mediators(ctx, rngs["mediators"], dig["alpha"], D, shock_year)
    X0 = latent.controls(ctx, rngs["controls"], cities, dig["slope"])
    mu = outcome.resilience_fe(ctx, rngs["outcome_fe"], dig["alpha"])
    shock = sectors.shock_draws(ctx, rngs["shock"], D, mu)
    ln_gdp = X0["ln_gdp_pc_trend"]
    if shock is not None:
        s = p["shock"]
        ln_gdp = ln_gdp + (s["national_gdp"] + s["gdp_city_share"] * shock["c"])[None, :] \
            * shock["decay"]
    sec = sectors.sectors(ctx, rngs["sectors"], D, dig["alpha"], M["upgrading"],
                          X0["population"], np.exp(ln_gdp), shock)
    X = {"gdp_pc": sec["gdp_pc"], "population": X0["population"],
         "fiscal_share": X0["fiscal_share"], "openness": X0["openness"],
         "urbanisation": X0["urbanisation"]}
    beta = outcome.de_effect(ctx, D, cities["open_group"], cities["size_class"])
    R = outcome.resilience(ctx, rngs["outcome"], mu, beta, D, ec["E"], M, X, shock_year)
    shock_c = shock["c"] if shock is not None else np.zeros(ctx.n)
    dims = outcome.dimensions(ctx, rngs["dimensions"], R, D, M, shock_c)
    lat = {"de": D, "ec": ec["E"], **dims}
    ind = indicators.generate(ctx, rngs["indicators"], lat, X)
    ind["it_emp_share"] = sec["emp_ict"] / sec["emp_total"]
    ind["patents_per10k"] = np.exp(M["innovation"])
    cols: dict[str, np.ndarray] = {
        **{f"pilot_{k}": latent.treated(yrs, cohorts[k]) for k in _units.PROGRAMMES},
        **{f"cohort_{k}": np.broadcast_to(cohorts[k], D.shape) for k in _units.PROGRAMMES},
        "phones_1984": np.broadcast_to(cities["phones"], D.shape),
        "nat_internet_lag": np.broadcast_to(dig["nat_lag"][:, None], D.shape),
        "de_latent": D, "ec_latent": ec["E"], "de_effect": beta,
        **{f"{k}_latent": v for k, v in dims.items()},
        "resilience": R, **M, **X, **ind, **{k: v for k, v in sec.items() if k != "gdp_pc"},
    }
    book = codebook()
    data = _frame(u.ids, yrs, cols, list(book.index))
    table = _cities_table(u.table, cities)
    tr = _truth(kind, n, yrs, ss, seed, p, u, cities, dig, ec, mu, beta, D, shock, sec,
                rngs["effects"], cohorts,
                outcome.city_multiplier(ctx, cities["open_group"], cities["size_class"]))
    return SimulatedData(data, table, tr, book, u.neighbours, u.W)


def _frame(ids: list[str], yrs: np.ndarray, cols: dict[str, np.ndarray],
           order: list[str]) -> pd.DataFrame:
    n, T = len(ids), yrs.size
    out: dict[str, Any] = {"city": np.repeat(np.asarray(ids, dtype=object), T),
                           "year": np.tile(yrs, n)}
    ints = {"taobao_villages"}
    for name in order:
        arr = np.asarray(cols[name]).T.ravel()
        if name.startswith(("pilot_", "cohort_")) or name in ints:
            arr = arr.astype(np.int64)
        out[name] = arr
    frame = pd.DataFrame(out)
    frame["city"] = frame["city"].astype(str)
    return frame


def _cities_table(table: pd.DataFrame, cities: dict[str, np.ndarray]) -> pd.DataFrame:
    out = table[["name_zh", "name_en", "province", "province_zh", "region", "lat", "lon",
                 "size_tier", "dev_tier", "open_tier"]].copy()
    out["size_class"] = cities["size_class"]
    out["open_group"] = cities["open_group"]
    out["phones_1984"] = cities["phones"]
    return out


def _truth(kind: str, n: int | None, yrs: np.ndarray, ss: np.random.SeedSequence,
           seed: Any, p: dict[str, Any], u: _units.Units, cities: dict[str, np.ndarray],
           dig: dict[str, np.ndarray], ec: dict[str, np.ndarray], mu: np.ndarray,
           beta: np.ndarray, D: np.ndarray, shock: dict[str, Any] | None,
           sec: dict[str, np.ndarray], rng: np.random.Generator,
           cohorts: dict[str, np.ndarray], mult: np.ndarray) -> dict[str, Any]:
    o = p["outcome"]
    eff = outcome.impacts(u.W, o["rho"], o["theta_de"], beta.mean(axis=0), o["beta_low"], rng)
    city_cols: dict[str, Any] = {
        "alpha_de": dig["alpha"], "slope_de": dig["slope"], "alpha_ec": ec["alpha_ec"],
        "mu_resilience": mu, "pop_2011": cities["pop0"], "gdp_pc_2011": cities["gdp0"],
        "openness_level": cities["open0"], "size_class": cities["size_class"],
        "open_group": cities["open_group"], "region": u.table["region"].to_numpy(),
        "de_effect_city_multiplier": mult,
        **{f"cohort_{k}": v for k, v in cohorts.items()},
    }
    shock_part: dict[str, Any] = {"applied": shock is not None}
    if shock is not None:
        end = int(yrs.max()) if yrs.max() > shock["year"] else None
        emp = sectors.martin(sec["emp_total"], yrs, shock["pre_year"], shock["year"], end)
        gdp = sectors.martin(sec["gdp"], yrs, shock["pre_year"], shock["year"], end)
        ss_emp = sectors.shift_share({s: sec[f"emp_{s}"] for s in SECTORS}, yrs,
                                     shock["pre_year"], shock["year"])
        city_cols.update(shock_component=shock["c"], recovery_rate=shock["r"],
                         resistance_emp=emp["resistance"], resistance_gdp=gdp["resistance"],
                         shift_share_expected_emp=ss_emp["expected"],
                         shift_share_industry_mix_emp=ss_emp["industry_mix"],
                         shift_share_competitive_emp=ss_emp["competitive"])
        if end is not None:
            city_cols.update(recovery_emp=emp["recovery"], recovery_gdp=gdp["recovery"])
        shock_part.update(
            year=shock["year"], pre_year=shock["pre_year"], recovery_end_year=end,
            measure="Martin (2012) relative to the aggregate of all simulated units",
            aggregate_emp_change=emp["aggregate_change"],
            aggregate_emp_recovery_change=emp["aggregate_recovery_change"],
            aggregate_gdp_change=gdp["aggregate_change"],
            aggregate_gdp_recovery_change=gdp["aggregate_recovery_change"],
            aggregate_sector_emp_growth=ss_emp["sector_growth"],
        )
    return truth.assemble(
        dataset="yrd_sim" if kind == "yrd41" else "simulated lattice",
        seed=int(seed) if isinstance(seed, int | np.integer) else ss.entropy,
        units=kind, n_cities=int(n or 41) if kind == "lattice" else 41,
        years=yrs.tolist(), params=p,
        derived=truth.derived(p, yrs, beta, D), effects=eff,
        spatial=dict(u.notes),
        mediators=list(MEDIATORS),
        regressors={"digital_economy": "de_latent", "ecommerce": "ec_latent",
                    "threshold_variable": "de_latent",
                    "controls_in_resilience": ["log(gdp_pc)", "log(population)", "fiscal_share",
                                               "openness", "urbanisation"]},
        shock=shock_part, cities=truth.per_city(u.ids, city_cols),
    )
