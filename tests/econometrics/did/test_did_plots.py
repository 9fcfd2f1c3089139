"""The event-study plot (cityres.report.did_plots): what is drawn, in both languages, no
missing glyphs, dodging, the truth line, the simulated mark, bad arguments. No peer: the
drawn data are compared with the results plotted."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.econometrics.did.did2s import did2s_event_study
from cityres.econometrics.did.eventstudy import event_study
from cityres.econometrics.did.results import EventStudyResult
from cityres.econometrics.did.sunab import sun_abraham
from cityres.report.did_plots import event_study_plot
from cityres.report.i18n import Text


@pytest.fixture(scope="module")
def results() -> list[EventStudyResult]:
    p = cityres.datasets.load("yrd_sim")
    kw = dict(cohort="cohort_broadband", leads=3, lags=5)
    return [event_study(p, "de_latent", **kw), sun_abraham(p, "de_latent", **kw),  # type: ignore[arg-type]
            did2s_event_study(p, "de_latent", **kw)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def truth() -> dict[str, float]:
    return cityres.datasets.truth("yrd_sim")["derived"]["att_broadband_on_de_latent"]


def _lines(fig: object) -> dict[str, object]:
    return {ln.get_gid(): ln for ln in fig.axes[0].get_lines() if ln.get_gid()}  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_three_estimators_dodged(results: list[EventStudyResult], truth: dict[str, float],
                                 lang: str) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        fig = event_study_plot(results, truth=truth, lang=lang, simulated=True)  # type: ignore[arg-type]
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    lines = _lines(fig)
    xs = []
    for i, r in enumerate(results):
        est = r.coefs[~r.coefs["is_reference"]]
        pts = lines[f"estimates-{i}"]
        assert len(pts.get_xdata()) == len(est) == 8  # type: ignore[attr-defined]
        np.testing.assert_allclose(pts.get_ydata(), est["estimate"])  # type: ignore[attr-defined]
        x = np.asarray(pts.get_xdata()) - est["event_time"].to_numpy()  # type: ignore[attr-defined]
        assert np.ptp(x) < 1e-12  # one offset per estimator
        xs.append(x[0])
        ref = lines[f"reference-{i}"]
        assert list(ref.get_ydata()) == [0.0]  # type: ignore[attr-defined]
    np.testing.assert_allclose(sum(xs), 0.0, atol=1e-12)  # symmetric around the event time
    assert xs[0] < xs[1] < xs[2]
    assert set(lines["zero"].get_ydata()) == {0.0}  # type: ignore[attr-defined]
    assert lines["zero"].get_linestyle() == "--"  # type: ignore[attr-defined]
    assert set(lines["adoption"].get_xdata()) == {-0.5}  # type: ignore[attr-defined]
    tx = np.asarray(lines["truth"].get_xdata())  # type: ignore[attr-defined]
    assert list(tx) == [0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(lines["truth"].get_ydata(), [truth[str(e)] for e in tx])  # type: ignore[attr-defined]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["≤-3", "-2", "-1", "0", "1", "2", "3", "4", "≥5"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    names = (["双向固定效应事件研究", "Sun & Abraham (2021)", "Gardner (2022) 两阶段 DID"]
             if lang == "zh" else
             ["TWFE event study", "Sun & Abraham (2021)", "Gardner (2022) two-stage DID"])
    assert legend[:3] == names
    assert ("真实效应（模拟）" if lang == "zh" else "True ATT (simulated)") in legend
    assert any(t.get_gid() == "simulated-mark" for t in fig.texts)
    word = "事件研究" if lang == "zh" else "Event study"
    assert ax.get_title(loc="left").startswith(word)


def test_single_result_and_labels(results: list[EventStudyResult]) -> None:
    fig = event_study_plot(results[0], labels=[Text("基准", "Baseline")], lang="en",
                           title="My title", ylabel="Effect on D")
    ax = fig.axes[0]
    lines = _lines(fig)
    assert "truth" not in lines
    x = np.asarray(lines["estimates-0"].get_xdata())  # type: ignore[attr-defined]
    est = results[0].coefs[~results[0].coefs["is_reference"]]
    np.testing.assert_allclose(x, est["event_time"])  # no dodge for one estimator
    assert fig.legends[0].get_texts()[0].get_text() == "Baseline"
    assert ax.get_title(loc="left") == "My title" and ax.get_ylabel() == "Effect on D"
    assert not [t for t in fig.texts if t.get_gid() == "simulated-mark"]


def test_bad_arguments(results: list[EventStudyResult]) -> None:
    with pytest.raises(ArgumentTypeError, match="EventStudyResult"):
        event_study_plot(object())  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="non-empty sequence"):
        event_study_plot([])
    with pytest.raises(ArgumentTypeError, match=r"results\[1\] is not an EventStudyResult"):
        event_study_plot([results[0], "x"])  # type: ignore[list-item]
    with pytest.raises(ArgumentError, match="one per result"):
        event_study_plot(results, labels=["a"])
    with pytest.raises(ArgumentTypeError, match="truth must be a mapping"):
        event_study_plot(results, truth=[0.1, 0.2])  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="not an event time"):
        event_study_plot(results, truth={"one": 0.1})
    with pytest.raises(ArgumentError, match="lang="):
        event_study_plot(results, lang="fr")  # type: ignore[arg-type]
