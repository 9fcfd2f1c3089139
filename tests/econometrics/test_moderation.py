"""Moderation: the interaction model against pyfixest, marginal effects against the delta
method by hand and pyfixest's Wald test, the centring identity, bad input.

References (computed in the test run, nothing stored): pyfixest 0.60
``feols("resilience ~ de_latent + openness + inter + gdp_pc | city + year",
vcov={"CRV1": "city"})`` with ``inter`` built in the test, on the bundled yrd_sim
(SIMULATED) panel: coefficients to 1e-10, SEs to 1e-8; its ``wald_test(R, q)`` on the
linear combination ``β_x + β_xz (z − z̄)`` gives F = t² of our marginal effect (1e-8).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.econometrics.moderation import ModerationResult, moderation

Y, X, Z = "resilience", "de_latent", "openness"


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def res(panel: cityres.CityPanel) -> ModerationResult:
    return moderation(panel, Y, X, Z, controls=["gdp_pc"])


def _pf(panel: cityres.CityPanel, center: bool) -> object:
    d = panel.data.reset_index()
    x, z = d[X], d[Z]
    d["inter"] = (x - x.mean()) * (z - z.mean()) if center else x * z
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(f"{Y} ~ {X} + {Z} + inter + gdp_pc | city + year", d,
                        vcov={"CRV1": "city"})


def test_model_matches_pyfixest(panel: cityres.CityPanel, res: ModerationResult) -> None:
    ref = _pf(panel, True)
    ours = res.model
    assert ours.exog_names == (X, Z, "de_latent_x_openness", "gdp_pc")
    np.testing.assert_allclose(ours.params.to_numpy(), ref.coef().to_numpy(), rtol=1e-10)  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours.std_errors.to_numpy(), ref.se().to_numpy(), rtol=1e-8)  # type: ignore[attr-defined]


def test_marginal_effects_are_the_delta_method(panel: cityres.CityPanel,
                                               res: ModerationResult) -> None:
    me = res.marginal_effects
    z = panel.data[Z].to_numpy()
    zbar, sd = z.mean(), z.std(ddof=1)
    np.testing.assert_allclose(me["z"], [zbar - sd, zbar, zbar + sd], rtol=1e-14)
    b, V = res.model.params, res.model.cov
    inter = "de_latent_x_openness"
    ref = _pf(panel, True)
    for _, row in me.iterrows():
        g = pd.Series(0.0, index=b.index)
        g[X], g[inter] = 1.0, row["z"] - zbar
        est = float(g @ b)
        se = float(np.sqrt(g @ V @ g))
        np.testing.assert_allclose([row["effect"], row["std_error"]], [est, se], rtol=1e-12)
        t = est / se
        np.testing.assert_allclose(row["p"], 2 * stats.t.sf(abs(t), 40), rtol=1e-10)
        q = stats.t.ppf(0.975, 40)
        np.testing.assert_allclose([row["ci_lower"], row["ci_upper"]],
                                   [est - q * se, est + q * se], rtol=1e-12)
        # our FEResult.wald and pyfixest's wald_test on the same combination: F = t²
        assert res.model.wald(dict(g[g != 0])).stat == pytest.approx(t * t, rel=1e-10)
        R = g.to_numpy()[None, :]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wt = ref.wald_test(R=R, q=np.zeros(1))  # type: ignore[attr-defined]
        np.testing.assert_allclose(float(np.asarray(wt["statistic"])), t * t, rtol=1e-8)


def test_centring_leaves_interaction_and_effects_unchanged(panel: cityres.CityPanel,
                                                           res: ModerationResult) -> None:
    raw = moderation(panel, Y, X, Z, controls=["gdp_pc"], center=False)
    inter = "de_latent_x_openness"
    assert not raw.centered and res.centered
    np.testing.assert_allclose(raw.params[inter], res.params[inter], rtol=1e-10)
    np.testing.assert_allclose(raw.std_errors[inter], res.std_errors[inter], rtol=1e-8)
    # β_x(centred) = β_x(raw) + β_xz z̄ (the effect at the mean of z)
    np.testing.assert_allclose(res.params[X], raw.params[X] + raw.params[inter] * res.z_mean,
                               rtol=1e-10)
    cols = ["z", "effect", "std_error", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(raw.marginal_effects[cols], res.marginal_effects[cols],
                               rtol=1e-8)
    ref = _pf(panel, False)
    np.testing.assert_allclose(raw.params.to_numpy(), ref.coef().to_numpy(), rtol=1e-10)  # type: ignore[attr-defined]


def test_at_choices(panel: cityres.CityPanel) -> None:
    z = panel.data[Z].to_numpy()
    q = moderation(panel, Y, X, Z, at="quartiles").marginal_effects
    assert list(q["at"]) == ["p25", "p50", "p75"]
    np.testing.assert_allclose(q["z"], np.quantile(z, [0.25, 0.5, 0.75]), rtol=1e-14)
    given = moderation(panel, Y, X, Z, at=[0.1, 0.5]).marginal_effects
    np.testing.assert_allclose(given["z"], [0.1, 0.5])
    same = moderation(panel, Y, X, Z, at="mean_sd").marginal_effects
    pd.testing.assert_frame_equal(same, moderation(panel, Y, X, Z).marginal_effects)


def test_tidy_summary_and_table(res: ModerationResult) -> None:
    t = res.tidy()
    assert list(t["kind"]).count("marginal_effect") == 3
    assert "centred at the sample means" in res.summary()
    from cityres.report.tables import regression_table

    table = regression_table([res])
    assert "de_latent_x_openness" in table.to_text("en")
    assert res.nobs == 533 and res.r2_within == res.model.r2_within


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(moderator="nope"), ArgumentError, "nope"),
    (dict(moderator=X), ArgumentError, "already x"),
    (dict(moderator=Y), ArgumentError, "already y"),
    (dict(controls=[Z]), ArgumentError, "already moderator"),
    (dict(at="deciles"), ArgumentError, "at='deciles'"),
    (dict(at=[]), ArgumentError, "at=\\[\\]"),
    (dict(at=[0.1, float("nan")]), ArgumentError, "finite numbers"),
    (dict(level=1.5), ArgumentError, "level=1.5"),
    (dict(center="yes"), ArgumentTypeError, "center='yes'"),
])
def test_bad_input(panel: cityres.CityPanel, kwargs: dict, error: type, match: str) -> None:
    args = {"moderator": Z, **kwargs}
    z = args.pop("moderator")
    with pytest.raises(error, match=match):
        moderation(panel, Y, X, z, **args)


def test_interaction_name_collision(panel: cityres.CityPanel) -> None:
    d = panel.data.assign(de_latent_x_openness=1.0)
    with pytest.raises(ArgumentError, match=r"'de_latent_x_openness'.*already a column"):
        moderation(d, Y, X, Z)
