"""Heterogeneity: subgroup fixed-effects regressions and tests that a coefficient differs
between groups (pooled interaction / Chow-type, seemingly-unrelated / suest, Fisher
permutation as Stata's ``bdiff``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices
from cityres._shared.replicate import replicate
from cityres._shared.rng import Seed, as_seed_sequence
from cityres.econometrics._difftests import (
    PermutationProblem,
    chow_test,
    comparisons_for,
    observed,
    permutation_draw,
    permutation_pvalues,
    pooled_interaction,
    suest_covariance,
    suest_test,
)
from cityres.econometrics._frame import Effects, check_effects, model_frame
from cityres.econometrics._groups import (
    Assignment,
    Grouping,
    as_grouping,
    city_list,
    column_groups,
    period_split,
    quantile_groups,
)
from cityres.econometrics.fe import FEResult, Vcov, check_vcov, fit_fe

__all__ = ["Grouping", "HeterogeneityResult", "city_list", "column_groups", "period_split",
           "quantile_groups", "subgroups"]

Test = Literal["chow", "suest", "permutation"]
TESTS: tuple[str, ...] = ("chow", "suest", "permutation")
ALL_SLOPES = "(all regressors)"
_TEST_COLUMNS = ["coefficient", "comparison", "group_a", "group_b", "difference", "ratio",
                 "chow_F", "chow_df", "chow_p", "suest_chi2", "suest_df", "suest_p",
                 "perm_p", "perm_p_one_sided", "n_permutations"]


@dataclass(frozen=True)
class HeterogeneityResult:
    """Subgroup regressions and the tests that coefficients differ between the groups.

    Attributes
    ----------
    y : str
    x : tuple of str
        The regressors whose differences are tested.
    controls : tuple of str
    grouping : str
        How the grouping is named; ``level`` the level its labels are defined at
        (``"entity"``, ``"period"`` or ``"observation"``).
    order : tuple of str
        The group labels in order; differences are later minus earlier group.
    models : mapping of str to FEResult
        One fixed-effects regression per group (by label, in ``order``).
    tests : pandas.DataFrame
        One row per coefficient and comparison: ``coefficient``, ``comparison``,
        ``group_a``, ``group_b`` (None for a joint test of all groups), ``difference``
        (b_b − b_a), ``ratio`` (b_b / b_a), ``chow_F``, ``chow_df``, ``chow_p``,
        ``suest_chi2``, ``suest_df``, ``suest_p``, ``perm_p`` (two-sided), ``perm_p_one_sided``
        (bdiff's direction), ``n_permutations`` (draws that could be estimated). A row
        with coefficient ``"(all regressors)"`` is the full Chow test that every slope is
        equal. Tests not run are NaN.
    groups : pandas.Series
        The group of every observation, indexed by (entity, time).
    pooled : FEResult or None
        The fully interacted pooled model of the Chow-type test.
    suest_cov : pandas.DataFrame or None
        Joint covariance of all group estimates (index ``"<group>:<term>"``).
    permutation_draws : pandas.DataFrame or None
        The permuted statistics (one column per comparison and coefficient).
    seed_entropy : int or None
        Entropy of the root seed of the permutation draws (``seed=seed_entropy`` repeats
        the run); None when no permutations were drawn or the seed was a spawned
        SeedSequence (keep that sequence instead).
    """

    y: str
    x: tuple[str, ...]
    controls: tuple[str, ...]
    grouping: str
    level: str
    order: tuple[str, ...]
    models: Mapping[str, FEResult]
    tests: pd.DataFrame
    groups: pd.Series
    pooled: FEResult | None = field(default=None, repr=False)
    suest_cov: pd.DataFrame | None = field(default=None, repr=False)
    permutation_draws: pd.DataFrame | None = field(default=None, repr=False)
    seed_entropy: int | None = None

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per group and regressor: group, term, estimate, std_error, t, p,
        ci_lower, ci_upper, nobs."""
        parts = [m.tidy(level).assign(nobs=m.nobs).assign(group=g).loc[
            :, ["group", "term", "estimate", "std_error", "t", "p", "ci_lower", "ci_upper",
                "nobs"]] for g, m in self.models.items()]
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        """The group estimates of ``x`` and the difference tests as text."""
        est = self.tidy()
        est = est[est["term"].isin(self.x)].set_index(["term", "group"])[
            ["estimate", "std_error", "p", "nobs"]]
        lines = [f"Subgroup fixed-effects regressions of {self.y} by {self.grouping} "
                 f"(labels defined per {self.level})", "",
                 est.to_string(float_format=lambda v: f"{v:.4f}"), "",
                 "Difference tests (p-values; permutation p two-sided):",
                 self.tests[["coefficient", "comparison", "difference", "chow_p", "suest_p",
                             "perm_p", "n_permutations"]].to_string(
                     index=False, float_format=lambda v: f"{v:.4f}")]
        return "\n".join(lines)


def _names(value: object, argument: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ArgumentTypeError(f"{argument}: expected a column name or a list of them; got "
                            f"{value!r}")


def _tests(test: object) -> tuple[str, ...]:
    chosen = _names(test, "test")
    bad = [t for t in chosen if t not in TESTS]
    if bad or not chosen:
        raise ArgumentError(f"test={list(chosen)!r}; accepted: one or more of "
                            f"{format_choices(TESTS)}")
    return tuple(t for t in TESTS if t in chosen)


def _check_sizes(frame: pd.DataFrame, asg: Assignment, entity: str, time: str, k: int,
                 effects: Effects, cluster: str | None, min_entities: int) -> None:
    for g in asg.order:
        sub = frame[asg.labels == g]
        n, ne, nt = len(sub), int(sub[entity].nunique()), int(sub[time].nunique())
        ncl = int(sub[cluster].nunique()) if cluster is not None else None
        n_fe = {"twoways": ne + nt - 1, "individual": ne, "time": nt, "none": 1}[effects]
        needs = []
        if n <= k + n_fe:
            needs.append(f"more observations than its {k} coefficient(s) and {n_fe} fixed "
                         "effect(s)")
        if ncl is not None and ncl < 2:
            needs.append("at least 2 clusters")
        if ne < min_entities:
            needs.append(f"at least min_entities={min_entities} {entity} values")
        if effects in ("twoways", "individual") and nt < 2:
            needs.append(f"at least 2 {time} values (entity effects)")
        if needs:
            raise PanelError(
                f"group {g!r} of grouping {asg.name!r} is too small to estimate: {n} "
                f"observation(s), {ne} {entity} value(s), {nt} {time} value(s)"
                + (f", {ncl} cluster(s)" if ncl is not None else "")
                + "; it needs " + "; ".join(needs))


def subgroups(data: object, y: str, x: str | Sequence[str], *, by: str | Grouping,
              controls: Sequence[str] = (), entity: str | None = None,
              time: str | None = None, effects: Effects = "twoways",
              vcov: Vcov = "cluster", cluster: str | None = None,
              test: Sequence[Test] | Test = ("chow", "suest", "permutation"),
              permutations: int = 1000, seed: Seed = None, backend: str = "serial",
              min_entities: int = 5) -> HeterogeneityResult:
    r"""Fixed-effects regressions by group and tests that the coefficients of ``x`` differ.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long frame with ``entity`` and ``time`` columns.
    y : str
        Dependent variable.
    x : str or sequence of str
        Regressor(s) whose differences between groups are tested.
    by : str or Grouping
        A column of the data or of a CityPanel's city table (``region``, ``size_class``,
        ``open_group``…), or a grouping from :func:`period_split`,
        :func:`quantile_groups`, :func:`city_list` or :func:`column_groups`.
    controls : sequence of str
        Further regressors (in every group's model; their slopes differ by group too).
    entity, time, effects, vcov, cluster
        As :func:`cityres.econometrics.fit_fe` (each group's model is a ``fit_fe``).
    test : sequence of {"chow", "suest", "permutation"}
        The tests to run (default all three).
    permutations : int
        Permutations of the Fisher test (>= 1; default 1000).
    seed : int, Generator, SeedSequence or None
        Root seed of the permutations (``seed_entropy`` of the result repeats a run).
    backend : str
        Backend of :func:`cityres._shared.replicate.replicate` (``"serial"``,
        ``"processes"``); results are identical for every backend.
    min_entities : int
        The fewest entities (cities) a group may have (default 5).

    Returns
    -------
    HeterogeneityResult

    Raises
    ------
    ArgumentError
        Unknown grouping column, a grouping with one group, bad ``test``,
        ``permutations`` < 1, ``x`` also among ``controls``.
    PanelError
        A group too small to estimate (named, with its size); missing grouping values (the
        cities named); any data problem :func:`fit_fe` raises, prefixed with the group.

    Notes
    -----
    Group g's model is :math:`y_{it} = x_{it}'\beta_g + w_{it}'\gamma_g + \alpha_i^{(g)} +
    \lambda_t^{(g)} + e_{it}` on its observations. For groups a, b the difference
    :math:`d = \beta_b - \beta_a` is tested by

    * **Chow-type**: the pooled model with every regressor and every fixed effect
      interacted with the groups (entity × group and time × group effects), whose group
      slopes equal the subgroup estimates; Wald :math:`F = d'(R\hat VR')^{-1}d / J` with
      the pooled CRV1 covariance and F(J, G − 1) p-value (G clusters);
    * **suest**: :math:`\chi^2 = d'(R\hat V_sR')^{-1}d` with the joint covariance
      :math:`\hat V_s = \frac{C}{C-1} B (\sum_c s_c s_c') B` of the stacked scores
      (no (N − 1)/(N − K) factor, as Stata's ``suest``); cities in both groups (a period
      split) make the groups' estimates covary;
    * **permutation** (Fisher; Stata ``bdiff``): the group labels are shuffled at the
      level they are defined (cities; periods for a period split; city-years within each
      period), the groups re-estimated, and :math:`p = (1 + \#\{|d^*| \ge |d|\})/(1 + B)`
      (two-sided; the one-sided p counts draws beyond d in its direction).

    With more than two groups every pair is tested and a joint test that all groups are
    equal is added (the permutation statistic is then :math:`\sum_g w_g(\beta_g -
    \bar\beta)^2`, with :math:`w_g` the group's share of observations). See
    docs/methods/heterogeneity.md.

    References
    ----------
    Chow, G. C. (1960). Tests of equality between sets of coefficients in two linear
    regressions. Econometrica, 28(3), 591–605.
    Clogg, C. C., Petkova, E., & Haritou, A. (1995). Statistical methods for comparing
    regression coefficients between models. American Journal of Sociology, 100(5),
    1261–1293.
    Weesie, J. (1999). Seemingly unrelated estimation and the cluster-adjusted sandwich
    estimator. Stata Technical Bulletin, 52, sg121.
    Cleary, S. (1999). The relationship between firm investment and financial status.
    Journal of Finance, 54(2), 673–692.
    连玉君, 廖俊平 (2017). 如何检验分组回归后的组间系数差异？郑州航空工业管理学院学报,
    35(6), 97–109.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> res = subgroups(p, "resilience", "de_latent", by="region", permutations=99, seed=1)
    >>> res.order, int(res.tests["n_permutations"].iloc[0])
    (('central', 'east'), 99)
    """
    xs = _names(x, "x")
    cs = _names(controls, "controls")
    if not xs:
        raise ArgumentError("x: give at least one regressor")
    both = [c for c in cs if c in xs]
    if both:
        raise ArgumentError(f"controls: {both} are also in x")
    tests = _tests(test)
    eff = check_effects(effects)
    vtype = check_vcov(vcov, cluster)
    if "permutation" in tests and (isinstance(permutations, bool) or not isinstance(
            permutations, int | np.integer) or permutations < 1):
        raise ArgumentError(f"permutations={permutations!r}; accepted: an integer >= 1")
    if isinstance(min_entities, bool) or not isinstance(min_entities, int) or min_entities < 1:
        raise ArgumentError(f"min_entities={min_entities!r}; accepted: an integer >= 1")
    grouping = as_grouping(by)
    regs = [*xs, *cs]
    formula = f"{y} ~ " + " + ".join(regs)
    frame, ename, tname = model_frame(data, [y, *regs], entity=entity, time=time,
                                      where=f"subgroups({formula!r})",
                                      extra=[cluster] if cluster is not None else ())
    asg = grouping.assign(data, frame, ename, tname, entity_arg=entity, time_arg=time)
    if len(asg.order) < 2:
        raise ArgumentError(f"by: grouping {asg.name!r} has one group only "
                            f"({asg.order[0]!r} for every observation); accepted: a grouping "
                            "with two or more groups")
    cl = (cluster or ename) if vtype == "cluster" else None
    _check_sizes(frame, asg, ename, tname, len(regs), eff, cl, min_entities)
    models: dict[str, FEResult] = {}
    for g in asg.order:
        sub = frame[asg.labels == g].reset_index(drop=True)
        try:
            models[g] = fit_fe(formula, sub, entity=ename, time=tname, effects=eff,
                               vcov=vtype, cluster=cluster)
        except PanelError as err:
            hint = (" (the groups are defined per city-year, so a city can be in a group for "
                    "a single year; group by city, or use effects without entity effects)"
                    if asg.level == "observation" and "singleton" in str(err) else "")
            raise PanelError(f"group {g!r} of grouping {asg.name!r}: {err}{hint}") from None
    gidx = np.array([asg.order.index(v) for v in asg.labels], dtype=np.int64)
    G = len(asg.order)

    pooled = None
    if "chow" in tests:
        try:
            pooled = pooled_interaction(frame, y, regs, gidx, G, entity=ename, time=tname,
                                        effects=eff, vcov=vtype, cluster=cluster)
        except PanelError as err:
            raise PanelError(f"the pooled interaction model of grouping {asg.name!r}: "
                             f"{err}") from None
    theta = np.concatenate([models[g].params.to_numpy() for g in asg.order])
    V = suest_covariance([models[g] for g in asg.order]) if "suest" in tests else None
    root = as_seed_sequence(seed)
    ecodes = pd.factorize(frame[ename])[0].astype(np.int64)
    tcodes = pd.factorize(frame[tname])[0].astype(np.int64)
    comps = comparisons_for(asg.labels, asg.order, asg.level, ecodes, tcodes)
    problem = PermutationProblem(values=frame[[y, *regs]].to_numpy(dtype=np.float64),
                                 entity=ecodes, time=tcodes, effects=eff, n_x=len(xs),
                                 comparisons=comps)
    draws = None
    if "permutation" in tests:
        obs = observed(problem)
        draws = np.array(replicate(permutation_draw, int(permutations), seed=root,
                                   backend=backend, args=(problem,),
                                   description=f"permutations ({asg.name})"))
    rows = []
    for ci, comp in enumerate(comps):
        joint = len(comp.groups) > 2
        a, b = comp.groups[0], comp.groups[-1]
        for xi, name in enumerate(xs):
            row: dict[str, object] = {
                "coefficient": name,
                "comparison": "all groups equal" if joint
                else f"{asg.order[b]} − {asg.order[a]}",
                "group_a": None if joint else asg.order[a],
                "group_b": None if joint else asg.order[b]}
            if not joint:
                ba, bb = models[asg.order[a]].params[name], models[asg.order[b]].params[name]
                row["difference"], row["ratio"] = float(bb - ba), float(bb / ba)
            row.update(_chow_suest(tests, pooled, [name], comp.groups, G, theta, V, regs))
            if draws is not None:
                two, one, nb = permutation_pvalues(float(obs[ci, xi]), draws[:, ci, xi],
                                                   joint=joint)
                row.update(perm_p=two, perm_p_one_sided=np.nan if joint else one,
                           n_permutations=nb)
            rows.append(row)
    if {"chow", "suest"} & set(tests):
        every = tuple(range(G))
        row = {"coefficient": ALL_SLOPES, "comparison": "all groups equal" if G > 2
               else f"{asg.order[1]} − {asg.order[0]}", "group_a": None, "group_b": None}
        row.update(_chow_suest(tests, pooled, regs, every, G, theta, V, regs))
        rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=_TEST_COLUMNS)
    table["n_permutations"] = table["n_permutations"].astype("Int64")
    for col in ("chow_df", "suest_df"):
        table[col] = table[col].astype("Int64")
    labels_of = [f"{asg.order[c.groups[-1]]} − {asg.order[c.groups[0]]}"
                 if len(c.groups) == 2 else "all groups equal" for c in comps]
    perm_frame = None if draws is None else pd.DataFrame(
        draws.reshape(draws.shape[0], -1),
        columns=[f"{lab}:{xn}" for lab in labels_of for xn in xs])
    suest_frame = None
    if V is not None:
        names = [f"{g}:{r}" for g in asg.order for r in regs]
        suest_frame = pd.DataFrame(V, index=names, columns=names)
    groups = pd.Series(asg.labels, index=pd.MultiIndex.from_frame(frame[[ename, tname]]),
                       name=asg.name)
    return HeterogeneityResult(
        y=y, x=xs, controls=cs, grouping=asg.name, level=asg.level, order=asg.order,
        models=MappingProxyType(models), tests=table, groups=groups, pooled=pooled,
        suest_cov=suest_frame, permutation_draws=perm_frame,
        seed_entropy=(int(root.entropy) if isinstance(root.entropy, int)
                      and not root.spawn_key and "permutation" in tests else None))


def _chow_suest(tests: tuple[str, ...], pooled: FEResult | None, names: Sequence[str],
                groups: tuple[int, ...], n_groups: int, theta: np.ndarray,
                V: np.ndarray | None, regs: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    if "chow" in tests and pooled is not None:
        w = chow_test(pooled, names, groups, n_groups)
        out.update(chow_F=w.stat, chow_df=w.df_num, chow_p=w.pvalue)
    if "suest" in tests and V is not None:
        k = len(regs)
        R = []
        for name in names:
            j = regs.index(name)
            for g in groups[1:]:
                r = np.zeros(theta.size)
                r[groups[0] * k + j], r[g * k + j] = 1.0, -1.0
                R.append(r)
        chi2, df, p = suest_test(theta, V, np.array(R))
        out.update(suest_chi2=chi2, suest_df=df, suest_p=p)
    return out
