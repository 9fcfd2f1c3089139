"""2SLS with fixed effects (``fit_iv``) against its peers.

References, computed in the same run (test extra):

- pyfixest ``feols("y ~ w | city + year | d ~ z", vcov={"CRV1": "city"})``: second-stage
  coefficients to 1e-10 and SEs to 1e-8; ``first_stage()`` / ``IV_Diag()``: the
  cluster-robust first-stage F and the effective F to 1e-8; with ``vcov="iid"`` the
  first-stage F equals our Cragg–Donald F (one endogenous regressor) to 1e-8.
- linearmodels ``IV2SLS`` with explicit city and year dummies (clustered by city):
  coefficients to 1e-8; the instruments' partial R² of its first-stage diagnostics to 1e-8.
- identities: with two instruments and one endogenous regressor the Cragg–Donald F is the
  iid first-stage F; the Stock–Yogo critical values are Stock & Yogo (2005), Table 5.2.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from linearmodels.iv import IV2SLS
from numpy.testing import assert_allclose

import cityres
from cityres._shared.errors import ArgumentError, PanelError
from cityres.econometrics.iv import fit_iv, parse_iv_formula


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    d = cityres.datasets.load("yrd_sim").data.reset_index()
    d["z"] = d["phones_1984"] * d["nat_internet_lag"]
    d["z2"] = d["phones_1984"] * d["year"].sub(2010) ** 0.5
    return d


def _pf(fml: str, d: pd.DataFrame, vcov: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(fml, d, vcov=vcov)
        fit.first_stage()
        fit.IV_Diag()
    return fit


@pytest.mark.parametrize("inst", ["z", "z + z2"])
def test_equals_pyfixest(frame: pd.DataFrame, inst: str) -> None:
    fml = f"resilience ~ gdp_pc + openness | de_latent ~ {inst}"
    iv = fit_iv(fml, frame, entity="city", time="year")
    ref = _pf(f"resilience ~ gdp_pc + openness | city + year | de_latent ~ {inst}", frame,
              {"CRV1": "city"})
    assert_allclose(iv.params.to_numpy(), ref.coef().to_numpy(), rtol=1e-10)
    assert_allclose(iv.std_errors.to_numpy(), ref.se().to_numpy(), rtol=1e-8)
    diag = iv.diagnostics.loc["de_latent"]
    assert diag["first_stage_f"] == pytest.approx(ref._f_stat_1st_stage, rel=1e-8)
    assert diag["df_denom"] == 40
    iid = _pf(f"resilience ~ gdp_pc + openness | city + year | de_latent ~ {inst}", frame,
              "iid")
    assert diag["cragg_donald_f"] == pytest.approx(iid._f_stat_1st_stage, rel=1e-8)
    assert diag["stock_yogo_10pct"] == {"z": 16.38, "z + z2": 19.93}[inst]


def test_effective_f_equals_pyfixest_without_controls(frame: pd.DataFrame) -> None:
    # pyfixest's effective F does not partial out exogenous controls; without any the two agree
    iv = fit_iv("resilience ~ 1 | de_latent ~ z + z2", frame, entity="city", time="year")
    ref = _pf("resilience ~ 1 | city + year | de_latent ~ z + z2", frame, {"CRV1": "city"})
    assert iv.diagnostics.loc["de_latent", "effective_f"] == pytest.approx(ref._eff_F, rel=1e-8)
    assert list(iv.params.index) == ["de_latent"]


def test_equals_linearmodels_with_dummies(frame: pd.DataFrame) -> None:
    iv = fit_iv("resilience ~ gdp_pc + openness | de_latent ~ z + z2", frame, entity="city",
                time="year")
    dummies = pd.get_dummies(frame[["city", "year"]].astype(str), drop_first=True,
                             dtype=float)
    exog = pd.concat([frame[["gdp_pc", "openness"]], dummies], axis=1).assign(const=1.0)
    ref = IV2SLS(frame["resilience"], exog, frame[["de_latent"]], frame[["z", "z2"]]).fit(
        cov_type="clustered", clusters=frame["city"])
    for name in ("de_latent", "gdp_pc", "openness"):
        assert iv.params[name] == pytest.approx(ref.params[name], rel=1e-8)
    partial = ref.first_stage.diagnostics.loc["de_latent", "partial.rsquared"]
    assert iv.diagnostics.loc["de_latent", "partial_r2"] == pytest.approx(partial, rel=1e-8)


def test_first_stage_is_the_fe_regression(frame: pd.DataFrame) -> None:
    iv = fit_iv("resilience ~ gdp_pc | de_latent ~ z", frame, entity="city", time="year")
    first = iv.first_stages["de_latent"]
    assert first.exog_names == ("z", "gdp_pc")
    assert first.tstats["z"] ** 2 == pytest.approx(
        iv.diagnostics.loc["de_latent", "first_stage_f"], rel=1e-10)
    assert "Weak identification" in iv.summary()


def test_formula_errors(frame: pd.DataFrame) -> None:
    assert parse_iv_formula("y ~ 1 | d ~ z") == ("y", (), ("d",), ("z",))
    with pytest.raises(ArgumentError, match="two parts"):
        fit_iv("resilience ~ de_latent", frame, entity="city", time="year")
    with pytest.raises(ArgumentError, match="need at least as many instruments"):
        parse_iv_formula("y ~ x | d1 + d2 ~ z")
    with pytest.raises(ArgumentError, match=r"\['gdp_pc'\] appear more than once"):
        parse_iv_formula("y ~ gdp_pc | d ~ gdp_pc")
    bad = frame.assign(zc=frame["city"].astype(int) % 5)
    with pytest.raises(PanelError, match=r"\['zc'\].*absorbed"):
        fit_iv("resilience ~ gdp_pc | de_latent ~ zc", bad, entity="city", time="year")
    nan = frame.copy()
    nan.loc[3, "z"] = np.nan
    with pytest.raises(PanelError, match="column 'z'"):
        fit_iv("resilience ~ gdp_pc | de_latent ~ z", nan, entity="city", time="year")
