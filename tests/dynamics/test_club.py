"""Phillips–Sul log t test and convergence clubs (cityres.dynamics.club).

References
----------
- The R package ConvergenceClubs 2.2.5 (Sichera & Pizzuto 2019, R Journal 11(2); CRAN
  snapshot github:cran/ConvergenceClubs commit f7b2942) on its ``filteredGDP`` data (152
  countries, 1970–2003; stored in reference/filteredGDP.csv.gz, provenance in
  reference/README.md). The numbers below were printed by R 4.2.2 running the
  package's documented example (``?findClubs``, ``?mergeClubs``, README):
  ``findClubs(filteredGDP, dataCols=2:35, unit_names=1, refCol=35, time_trim=1/3,
  cstar=0, HACmethod="FQSB")`` → 7 clubs of 50, 30, 21, 24, 14, 11, 2 countries, and
  ``mergeClubs(clubs, mergeMethod="PS")`` → 50, 30, 21, 38 (4+5), 11, 2; ``summary()``
  prints the same sizes and t values rounded to 3 decimals. Further settings (trim 0.3,
  c* = 1; ``cstar_method="incremental"`` on 1970–1989) were run the same way; the R
  commands are in the README. b̂, se and t are compared at rtol 1e-9 (R prints 10
  significant digits), sizes and memberships exactly.
- The PyPI port ``convergence-clubs`` 0.1.2 (``find_clubs``, ``merge_clubs`` on its bundled
  copy of the data), when installed.
- A hand OLS of log(H_1/H_t) − 2 log log t on log t with a quadratic-spectral long-run
  variance written here from Andrews (1991), rtol 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cityres import datasets
from cityres._shared.errors import ArgumentError, PanelError
from cityres.dynamics.club import ClubResult, LogTResult, clubs, log_t

REF = Path(__file__).parent / "reference" / "filteredGDP.csv.gz"

# ConvergenceClubs 2.2.5: the full-sample log t test and the clubs of the example.
R_FULL = (-8.748112404e-01, 5.482815507e-03, -1.595551116e02)
R_INITIAL = [  # size, beta, std.err, tvalue
    (50, 0.3816224851, 0.0411130657, 9.2822677805),
    (30, 0.23999410258, 0.03475980264, 6.90435745699),
    (21, 0.11014574223, 0.03237223514, 3.40247566338),
    (24, 0.13051749297, 0.06351591049, 2.05487872188),
    (14, 0.1895418400, 0.1114441347, 1.7007789637),
    (11, 1.0026917815, 0.1664538072, 6.0238440834),
    (2, -0.4701489411, 0.8417393356, -0.5585445770),
]
R_MERGED_PS = [(50, "1", 9.2822677805), (30, "2", 6.90435745699), (21, "3", 3.40247566338),
               (38, "4+5", -0.63602552176), (11, "6", 6.0238440834), (2, "7", -0.5585445770)]


@pytest.fixture(scope="module")
def gdp() -> pd.DataFrame:
    wide = pd.read_csv(REF, index_col=0)
    wide = wide.drop(columns="club_R")
    wide.columns = wide.columns.astype(int)
    long = wide.rename_axis("country").rename_axis("year", axis=1).stack()
    return long.rename("gdp").to_frame()


@pytest.fixture(scope="module")
def r_clubs() -> pd.Series:
    return pd.read_csv(REF, index_col=0)["club_R"]


@pytest.fixture(scope="module")
def res(gdp: pd.DataFrame) -> ClubResult:
    return clubs(gdp, "gdp", log=False)


def test_full_sample_log_t_matches_convergenceclubs(gdp: pd.DataFrame) -> None:
    full = log_t(gdp, "gdp", log=False)
    assert isinstance(full, LogTResult)
    np.testing.assert_allclose([full.beta, full.se, full.tstat], R_FULL, rtol=1e-9)
    assert full.nobs == 23 and full.periods[0] == 1981 and full.n_units == 152
    assert not full.converges and full.pvalues["log_t"] < 1e-10
    assert "t = -159.555" in full.summary()


def test_clubs_match_convergenceclubs(res: ClubResult, r_clubs: pd.Series) -> None:
    init = res.table[res.table["stage"] == "initial"]
    assert init["size"].tolist() == [r[0] for r in R_INITIAL]
    np.testing.assert_allclose(init[["beta", "se", "t"]].to_numpy(float),
                               np.array([r[1:] for r in R_INITIAL]), rtol=1e-9)
    assert (res.initial_membership.reindex(r_clubs.index).astype(int) == r_clubs).all()
    merged = res.table[res.table["stage"] == "merged"]
    assert merged["size"].tolist() == [r[0] for r in R_MERGED_PS]
    assert merged["merged_from"].tolist() == [r[1] for r in R_MERGED_PS]
    np.testing.assert_allclose(merged["t"], [r[2] for r in R_MERGED_PS], rtol=1e-9)
    assert res.n_clubs == 6 and res.divergent == []
    assert res.membership["Afghanistan"] == 5 and res.membership["Zimbabwe"] == 4
    assert res.tidy().shape[0] == 13 and "club 4" in res.summary()


def test_r_core_rule_gives_the_same_example(gdp: pd.DataFrame, res: ClubResult) -> None:
    other = clubs(gdp, "gdp", log=False, core_rule="max_abs")
    pd.testing.assert_frame_equal(other.table, res.table)


def test_other_settings_match_convergenceclubs(gdp: pd.DataFrame) -> None:
    # findClubs(..., time_trim=0.3, cstar=1); mergeClubs(PS) and (vLT)
    sizes = [51, 27, 20, 16, 7, 13, 4, 11, 2]
    ps = clubs(gdp, "gdp", log=False, trim=0.3, cstar=1, core_rule="max_abs")
    init = ps.table[ps.table["stage"] == "initial"]
    assert init["size"].tolist() == [*sizes, 1]
    np.testing.assert_allclose(init["t"].iloc[:9], [7.878151, 4.654837, 3.096249, 4.641161,
                                                    1.628646, 3.274226, 5.296162, 4.023914,
                                                    -0.303006], atol=1e-6)
    merged = ps.table[ps.table["stage"] == "merged"]
    assert merged["size"].tolist() == [51, 27, 20, 23, 17, 11, 2, 1]
    np.testing.assert_allclose(merged["t"].iloc[3:5], [0.429752, 3.000706], atol=1e-6)
    vlt = clubs(gdp, "gdp", log=False, trim=0.3, cstar=1, core_rule="max_abs", merge="vlt")
    merged = vlt.table[vlt.table["stage"] == "merged"]
    assert merged["size"].tolist() == [51, 27, 20, 16, 7, 17, 11, 2, 1]
    assert len(vlt.divergent) == 1
    # Phillips-Sul's max t_k rule differs here from ConvergenceClubs' max |t_k|: the
    # seventh core keeps 4 units (t = 0.52) rather than 3 (t = -0.72)
    ps_rule = clubs(gdp, "gdp", log=False, trim=0.3, cstar=1, merge=False)
    assert ps_rule.table["size"].tolist() == [51, 27, 20, 16, 7, 13, 5, 11, 2]
    # cstar_method="incremental" on 1970-1989
    early = gdp[gdp.index.get_level_values("year") <= 1989]
    inc = clubs(early, "gdp", log=False, cstar_method="incremental", merge=False)
    assert inc.table["size"].tolist() == [62, 19, 23, 13, 27, 8]


def test_log_t_regression_is_a_hand_ols_with_qs_hac() -> None:
    panel = datasets.load("yrd_sim")
    res = log_t(panel, "gdp_pc", trim=0.3)
    x = np.log(panel.data["gdp_pc"].unstack().to_numpy())
    h = x / x.mean(axis=0)
    big_h = ((h - 1) ** 2).mean(axis=0)
    start = round(13 * 0.3)  # 3.9 -> 4: t = 5..13
    t = np.arange(start + 1, 14)
    y = np.log(big_h[0] / big_h[start:]) - 2 * np.log(np.log(t))
    ols = sm.OLS(y, sm.add_constant(np.log(t))).fit()
    np.testing.assert_allclose(res.params.to_numpy(), ols.params, rtol=1e-12)
    u = ols.resid
    n, m = len(u), len(u) - 1
    rho = np.sum(u[:-1] * u[1:]) / np.sum(u[:-1] ** 2)
    bw = 1.3221 * (4 * rho**2 / (1 - rho) ** 4 * n) ** 0.2
    lags = np.arange(1, m)
    z = 6 * np.pi * lags / (5 * bw)
    w = 25 / (12 * np.pi**2 * (lags / bw) ** 2) * (np.sin(z) / z - np.cos(z))  # QS kernel
    gam = np.array([u[: m - j] @ u[j:m] for j in lags]) / m
    omega = u @ u / m + 2 * np.sum(w * gam)
    se = np.sqrt(np.diag(np.linalg.inv(ols.model.exog.T @ ols.model.exog)) * omega)
    np.testing.assert_allclose(res.std_errors.to_numpy(), se, rtol=1e-12)
    assert res.nobs == 9 and res.periods == tuple(range(2015, 2024))


def test_hp_option_filters_each_series() -> None:
    from statsmodels.tsa.filters.hp_filter import hpfilter

    panel = datasets.load("yrd_sim")
    res = clubs(panel, "gdp_pc", hp=True, lamb=400)
    wide = np.log(panel.data["gdp_pc"].unstack())
    code = wide.index[0]
    np.testing.assert_allclose(res.values.loc[code].to_numpy(),
                               np.asarray(hpfilter(wide.loc[code].to_numpy(), lamb=400)[1]),
                               rtol=1e-12)
    assert res.table["size"][res.table["stage"] == "merged"].sum() == 41
    paths = res.transition_paths()
    np.testing.assert_allclose(paths.mean(axis=0), 1.0, rtol=1e-12)


def test_yrd_membership_covers_every_city() -> None:
    panel = datasets.load("yrd_sim")
    res = clubs(panel, "gdp_pc")
    assert len(res.membership) == 41
    assert res.membership.index.equals(panel.cities.index.sort_values())
    labels = set(res.membership)
    assert labels <= {*range(1, 42), "divergent"}
    members = ", ".join(res.table.loc[res.table["stage"] == "merged", "members"])
    assert sorted(members.split(", ")) == sorted(panel.cities.index)


def test_too_few_periods_after_trimming() -> None:
    panel = datasets.load("yrd_sim")
    short = panel.data[panel.data.index.get_level_values("year") >= 2021]
    with pytest.raises(ArgumentError, match=r"T = 3 periods and trim = 0.333"):
        log_t(short, "gdp_pc")
    with pytest.raises(ArgumentError, match="trim must be a number in"):
        clubs(panel, "gdp_pc", trim=1.0)


def test_non_positive_values_under_the_log_name_city_and_year() -> None:
    panel = datasets.load("yrd_sim")
    data = panel.data.copy()
    city = data.index.get_level_values("city")[0]
    data.loc[(city, 2015), "gdp_pc"] = -5.0
    with pytest.raises(PanelError, match=rf"{city}/2015 \(-5\)"):
        log_t(data, "gdp_pc")
    # logs of an index below 1 are negative: h = x / mean x is not a share
    with pytest.raises(PanelError, match="use log=False"):
        clubs(panel, "de_latent")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"merge": "bad"}, "merge must be True, False or 'ps' or 'vlt'"),
    ({"cstar_method": "up"}, "cstar_method must be"),
    ({"core_rule": "min"}, "core_rule must be"),
    ({"cstar": float("nan")}, "cstar must be a finite number"),
    ({"lamb": 0}, "lamb"),
])
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        clubs(datasets.load("yrd_sim"), "gdp_pc", **kwargs)  # type: ignore[arg-type]


def test_python_port_agrees(res: ClubResult) -> None:
    cc = pytest.importorskip("convergence_clubs")
    port = cc.merge_clubs(cc.find_clubs(cc.load_filtered_gdp()))
    merged = res.table[res.table["stage"] == "merged"]
    assert [len(c.ids) for c in port.clubs] == merged["size"].tolist()
    np.testing.assert_allclose([c.model.t_value for c in port.clubs], merged["t"], rtol=1e-9)
