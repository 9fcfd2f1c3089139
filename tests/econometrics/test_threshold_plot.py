"""The LR(γ) plot of the threshold model: what is drawn, in both languages, no missing
glyphs, the simulated mark."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _threshold_cases import threshold_panel

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.econometrics.threshold import ThresholdResult, threshold
from cityres.report.i18n import Text
from cityres.report.threshold_plot import threshold_lr_plot


@pytest.fixture(scope="module")
def fit() -> ThresholdResult:
    d = threshold_panel(5, n_entities=40, beta=(0.0, 1.5, 3.0), gammas=(0.3, 0.7))
    return threshold(d, "y", regime="x", q="q", controls=["z"], entity="id", time="t",
                     n_thresholds=2, trim=0.1, bootstrap=0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_panel_per_threshold(fit: ThresholdResult, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        fig = threshold_lr_plot(fit, lang=lang, q_label=Text("门槛变量", "q"),  # type: ignore[arg-type]
                                simulated=True)
    assert len(fig.axes) == 2
    for j, ax in enumerate(fig.axes, start=1):
        lines = {ln.get_gid(): ln for ln in ax.get_lines()}
        curve = fit.lr_curve[fit.lr_curve["threshold"] == j]
        xs = lines[f"lr-{j}"].get_xdata()
        np.testing.assert_array_equal(np.asarray(xs)[~np.isnan(xs)], curve["gamma"])
        assert set(lines[f"critical-{j}"].get_ydata()) == {fit.lr_critical}
        assert list(lines[f"estimate-{j}"].get_xdata()) == [fit.thresholds[j - 1]]
    texts = [t.get_text() for t in fig.texts]
    assert any("SIMULATED" in t for t in texts)
    word = "门槛" if lang == "zh" else "Threshold"
    assert word in fig.axes[0].get_title(loc="left")


def test_no_mark_for_real_data(fit: ThresholdResult) -> None:
    fig = threshold_lr_plot(fit, lang="en")
    assert not [t for t in fig.texts if t.get_gid() == "simulated-mark"]


def test_bad_arguments(fit: ThresholdResult) -> None:
    with pytest.raises(ArgumentTypeError, match="ThresholdResult"):
        threshold_lr_plot(object())  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="digits=0"):
        threshold_lr_plot(fit, digits=0)
    with pytest.raises(ArgumentError, match="lang="):
        threshold_lr_plot(fit, lang="fr")  # type: ignore[arg-type]
