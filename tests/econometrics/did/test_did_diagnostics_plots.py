"""The Bacon-decomposition and placebo figures: what is drawn, in both languages, no
missing glyphs, the simulated mark. No peer (the drawn values are the results' own)."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.econometrics.did.bacon import BACON_TYPES, BaconResult, bacon
from cityres.econometrics.did.placebo import PlaceboResult, placebo
from cityres.report.did_diagnostics_plots import bacon_plot, placebo_plot
from cityres.report.i18n import Text

GIDS = dict(zip(BACON_TYPES, ["bacon-never", "bacon-earlier", "bacon-later",
                              "bacon-always"], strict=True))


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def decomposition(panel: cityres.data.CityPanel) -> BaconResult:
    return bacon(panel, "de_latent", cohort="cohort_ecdemo")


@pytest.fixture(scope="module")
def draws(panel: cityres.data.CityPanel) -> PlaceboResult:
    return placebo(panel, "de_latent", cohort="cohort_broadband", n=120, seed=2)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bacon_plot_draws_every_comparison(decomposition: BaconResult, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        fig = bacon_plot(decomposition, lang=lang, simulated=True)  # type: ignore[arg-type]
    ax = fig.axes[0]
    scatters = {c.get_gid(): c for c in ax.collections}
    comp = decomposition.comparisons
    assert set(scatters) == {GIDS[t] for t in set(comp["type"])}
    for kind, gid in GIDS.items():
        part = comp[comp["type"] == kind]
        if part.empty:
            continue
        np.testing.assert_allclose(scatters[gid].get_offsets(),
                                   part[["weight", "estimate"]].to_numpy())
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    assert set(lines["twfe"].get_ydata()) == {decomposition.twfe}
    assert set(lines["zero"].get_ydata()) == {0.0}
    assert any(t.get_gid() == "simulated-mark" for t in fig.texts)
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert ("始终处理组" if lang == "zh" else "always treated") in legend


def test_bacon_plot_title_and_no_mark(decomposition: BaconResult) -> None:
    fig = bacon_plot(decomposition, lang="en", title=Text("标题", "My title"))
    assert fig.get_suptitle() == "My title"
    assert not [t for t in fig.texts if t.get_gid() == "simulated-mark"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_placebo_plot(draws: PlaceboResult, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        fig = placebo_plot(draws, lang=lang, simulated=True)  # type: ignore[arg-type]
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_gid() == "draws"]
    assert bars
    heights = np.array([b.get_height() for b in bars])
    widths = np.array([b.get_width() for b in bars])
    np.testing.assert_allclose((heights * widths).sum(), 1.0)  # a density
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    assert set(lines["estimate"].get_xdata()) == {draws.estimate}
    q = np.quantile(draws.draws, [0.025, 0.975])
    assert set(lines["q025"].get_xdata()) == {q[0]}
    assert set(lines["q975"].get_xdata()) == {q[1]}
    assert "kde" in lines
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert f"p = {draws.pvalue:.3f}" in legend
    assert any(t.get_gid() == "simulated-mark" for t in fig.texts)


def test_placebo_plot_constant_draws(draws: PlaceboResult) -> None:
    flat = dataclasses.replace(draws, draws=np.zeros(5), n=5)
    fig = placebo_plot(flat, lang="en")
    gids = {ln.get_gid() for ln in fig.axes[0].get_lines()}
    assert "kde" not in gids and "estimate" in gids


def test_bad_arguments(decomposition: BaconResult, draws: PlaceboResult) -> None:
    with pytest.raises(ArgumentTypeError, match="BaconResult"):
        bacon_plot(object())  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="PlaceboResult"):
        placebo_plot(decomposition)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="lang="):
        bacon_plot(decomposition, lang="fr")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="lang="):
        placebo_plot(draws, lang="fr")  # type: ignore[arg-type]
