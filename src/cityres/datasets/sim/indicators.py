"""Observed indicators generated from the latent scores with known loadings and noise.

Each indicator ``x`` of latent ``L`` follows

* ``log``:   ``ln x = ln(at) + load (L - ref_L) + trend (t - 2011) + sum_c coef_c z_c + nu``
* ``logit``: ``logit x = logit(at) + ...`` (the same right-hand side; for shares)
* ``poisson``: ``x ~ Poisson(exp(ln(at) + ...))``, zero before ``start`` (counts)

with ``nu ~ N(0, noise)`` clipped at three standard deviations and the covariates
``z_c``: ``ln_pop = ln(population / 500)``, ``ln_gdp_pc = ln(gdp_pc) - 11``,
``ln_openness = ln(openness / 0.3)``, ``lat = lat - 31`` and province dummies
``prov_<role>``. ``it_emp_share`` and ``patents_per10k`` are identities of other columns.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from cityres.datasets.sim.latent import Ctx, logistic, logit, tn

LATENT_REFS = {
    "de": 0.4, "ec": 0.4,
    "ur_social": 0.35, "ur_economic": 0.385, "ur_infrastructure": 0.315, "ur_ecological": 0.28,
    "er_resistance": 0.28, "er_adaptation": 0.21, "er_innovation": 0.255,
}


class Spec(NamedTuple):
    """One indicator: name, codebook facts and its measurement equation."""

    name: str
    group: str
    dimension: str
    unit: str
    label_en: str
    label_zh: str
    direction: int
    latent: str
    form: str  # log, logit, poisson
    at: float
    load: float
    trend: float = 0.0
    noise: float = 0.05
    covs: tuple[tuple[str, float], ...] = ()
    start: int | None = None


G_DE, G_EC = "digital_economy", "ecommerce"
G_SO, G_EN = "resilience_social", "resilience_economic"
G_IN, G_EO = "resilience_infrastructure", "resilience_ecological"
G_ER = "economic_resilience"

SPECS: tuple[Spec, ...] = (
    Spec("internet_users_per100", G_DE, "digital_economy", "users per 100 persons",
         "Internet broadband access users per 100 persons", "每百人互联网宽带接入用户数", 1,
         "de", "log", 25.0, 1.3, 0.01, 0.06),
    Spec("telecom_rev_pc", G_DE, "digital_economy", "yuan per person",
         "Telecommunication business revenue per capita", "人均电信业务收入", 1,
         "de", "log", 900.0, 1.5, 0.0, 0.08),
    Spec("mobile_per100", G_DE, "digital_economy", "subscribers per 100 persons",
         "Mobile telephone subscribers per 100 persons", "每百人移动电话用户数", 1,
         "de", "log", 105.0, 0.6, 0.015, 0.05),
    Spec("dfi_index", G_DE, "digital_economy", "index points",
         "Digital financial inclusion index (PKU-style)", "数字普惠金融指数", 1,
         "de", "log", 100.0, 0.9, 0.07, 0.03),
    Spec("online_retail", G_EC, "ecommerce", "100 million yuan",
         "Online retail sales", "网上零售额", 1, "ec", "log", 60.0, 3.0, 0.15, 0.12,
         (("ln_pop", 1.0),)),
    Spec("express_volume", G_EC, "ecommerce", "10,000 pieces",
         "Express-delivery volume", "快递业务量", 1, "ec", "log", 8000.0, 3.0, 0.15, 0.12,
         (("ln_pop", 1.0),)),
    Spec("ec_transactions", G_EC, "ecommerce", "100 million yuan",
         "E-commerce transaction value", "电子商务交易额", 1, "ec", "log", 700.0, 3.0, 0.12,
         0.12, (("ln_pop", 1.0),)),
    Spec("ec_firm_share", G_EC, "ecommerce", "share (0-1)",
         "Share of enterprises with e-commerce trading activity", "有电子商务交易活动的企业比重",
         1, "ec", "logit", 0.08, 2.0, 0.05, 0.1),
    Spec("taobao_villages", G_EC, "ecommerce", "count",
         "Number of Taobao villages", "淘宝村数量", 1, "ec", "poisson", 1.5, 3.0, 0.20, 0.0,
         (("prov_zhejiang", 1.0), ("prov_jiangsu", 0.5), ("prov_shanghai", -1.0)), 2013),
    Spec("unemp_rate", G_SO, "social", "percent",
         "Registered urban unemployment rate", "城镇登记失业率", -1, "ur_social", "log",
         3.0, -1.0, -0.01, 0.08),
    Spec("hospital_beds_per10k", G_SO, "social", "beds per 10,000 persons",
         "Hospital beds per 10,000 persons", "每万人医院床位数", 1, "ur_social", "log",
         50.0, 0.8, 0.02, 0.06),
    Spec("pension_coverage", G_SO, "social", "share (0-1)",
         "Basic pension insurance coverage", "基本养老保险参保率", 1, "ur_social", "logit",
         0.7, 2.0, 0.06, 0.1),
    Spec("edu_exp_share", G_SO, "social", "share (0-1)",
         "Education expenditure share of the general budget", "教育支出占财政支出比重", 1,
         "ur_social", "logit", 0.17, 0.5, 0.0, 0.06),
    Spec("avg_wage", G_EN, "economic", "10,000 yuan",
         "Average wage of employed staff", "在岗职工平均工资", 1, "ur_economic", "log",
         5.0, 1.0, 0.07, 0.04, (("ln_gdp_pc", 0.3),)),
    Spec("fdi_pc", G_EN, "economic", "US dollars per person",
         "Foreign direct investment actually used per capita", "人均实际利用外资", 1,
         "ur_economic", "log", 300.0, 2.5, 0.0, 0.25, (("ln_openness", 0.8),)),
    Spec("savings_pc", G_EN, "economic", "10,000 yuan per person",
         "Household deposits per capita", "人均居民储蓄存款余额", 1, "ur_economic", "log",
         4.0, 1.0, 0.08, 0.05, (("ln_gdp_pc", 0.6),)),
    Spec("fiscal_self_sufficiency", G_EN, "economic", "share (0-1)",
         "General budget revenue over expenditure", "财政自给率", 1, "ur_economic", "logit",
         0.6, 2.0, 0.0, 0.1, (("ln_gdp_pc", 0.8),)),
    Spec("road_area_pc", G_IN, "infrastructure", "square metres per person",
         "Road area per capita", "人均城市道路面积", 1, "ur_infrastructure", "log",
         18.0, 0.5, 0.01, 0.08),
    Spec("drainage_density", G_IN, "infrastructure", "km per square km",
         "Density of drainage pipelines in the built-up area", "建成区排水管道密度", 1,
         "ur_infrastructure", "log", 10.0, 0.8, 0.02, 0.1),
    Spec("gas_coverage", G_IN, "infrastructure", "share (0-1)",
         "Gas coverage rate", "燃气普及率", 1, "ur_infrastructure", "logit", 0.96, 3.0, 0.1,
         0.3),
    Spec("buses_per10k", G_IN, "infrastructure", "vehicles per 10,000 persons",
         "Public buses per 10,000 persons", "每万人拥有公共汽车数", 1, "ur_infrastructure",
         "log", 12.0, 0.8, 0.01, 0.1),
    Spec("green_coverage", G_EO, "ecological", "share (0-1)",
         "Green coverage rate of the built-up area", "建成区绿化覆盖率", 1, "ur_ecological",
         "logit", 0.41, 0.4, 0.005, 0.03),
    Spec("so2_emissions", G_EO, "ecological", "tonnes",
         "Industrial sulphur dioxide emissions", "工业二氧化硫排放量", -1, "ur_ecological",
         "log", 30000.0, -2.0, -0.12, 0.2, (("ln_pop", 0.9),)),
    Spec("pm25", G_EO, "ecological", "micrograms per cubic metre",
         "Annual mean PM2.5 concentration", "PM2.5年均浓度", -1, "ur_ecological", "log",
         50.0, -0.8, -0.045, 0.06, (("lat", 0.03),)),
    Spec("sewage_treatment", G_EO, "ecological", "share (0-1)",
         "Sewage treatment rate", "污水处理率", 1, "ur_ecological", "logit", 0.88, 2.0, 0.15,
         0.2),
    Spec("disposable_income_pc", G_ER, "resistance_recovery", "10,000 yuan",
         "Per-capita disposable income of urban residents", "城镇居民人均可支配收入", 1,
         "er_resistance", "log", 3.0, 0.8, 0.075, 0.03, (("ln_gdp_pc", 0.4),)),
    Spec("profit_margin", G_ER, "resistance_recovery", "percent",
         "Profit margin of industrial enterprises above designated size",
         "规模以上工业企业利润率", 1, "er_resistance", "log", 6.5, 1.0, 0.0, 0.1),
    Spec("gov_debt_ratio", G_ER, "resistance_recovery", "share (0-1)",
         "Local government debt over GDP", "地方政府债务率", -1, "er_resistance", "logit",
         0.2, -2.0, 0.05, 0.15),
    Spec("new_firms_per10k", G_ER, "adaptation_adjustment", "firms per 10,000 persons",
         "Newly registered enterprises per 10,000 persons", "每万人新注册企业数", 1,
         "er_adaptation", "log", 15.0, 1.5, 0.08, 0.1),
    Spec("skilled_share", G_ER, "adaptation_adjustment", "share (0-1)",
         "Share of employees with tertiary education", "就业人员中大专以上学历比重", 1,
         "er_adaptation", "logit", 0.15, 2.0, 0.05, 0.08),
    Spec("reemployment_rate", G_ER, "adaptation_adjustment", "share (0-1)",
         "Re-employment rate of registered unemployed", "失业人员再就业率", 1,
         "er_adaptation", "logit", 0.6, 2.0, 0.01, 0.1),
    Spec("rd_intensity", G_ER, "innovation_transformation", "percent of GDP",
         "R&D expenditure over GDP", "R&D经费投入强度", 1, "er_innovation", "log", 2.0, 1.5,
         0.03, 0.08),
    Spec("hightech_share", G_ER, "innovation_transformation", "share (0-1)",
         "High-tech industry share of industrial output", "高新技术产业产值占比", 1,
         "er_innovation", "logit", 0.3, 2.5, 0.03, 0.1),
    Spec("sci_exp_share", G_ER, "innovation_transformation", "share (0-1)",
         "Science and technology expenditure share of the general budget",
         "科学技术支出占财政支出比重", 1, "er_innovation", "logit", 0.03, 2.0, 0.03, 0.1),
)


def covariates(ctx: Ctx, X: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The covariates an indicator equation may use, each ``(T, n)`` or ``(1, n)``."""
    role = ctx.table["role"].to_numpy()
    out = {
        "ln_pop": np.log(X["population"] / 500.0),
        "ln_gdp_pc": np.log(X["gdp_pc"]) - 11.0,
        "ln_openness": np.log(X["openness"] / 0.3),
        "lat": (ctx.table["lat"].to_numpy(float) - 31.0)[None, :],
    }
    for r in ("shanghai", "jiangsu", "zhejiang", "anhui"):
        out[f"prov_{r}"] = (role == r).astype(float)[None, :]
    return out


def generate(ctx: Ctx, rng: np.random.Generator, latents: dict[str, np.ndarray],
             X: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Draw every indicator of :data:`SPECS` (in order, one stream)."""
    cov = covariates(ctx, X)
    T, n = ctx.years.size, ctx.n
    out: dict[str, np.ndarray] = {}
    for s in SPECS:
        lin = s.load * (latents[s.latent] - LATENT_REFS[s.latent]) + s.trend * ctx.t
        for name, coef in s.covs:
            lin = lin + coef * cov[name]
        if s.form == "poisson":
            mean = np.exp(np.log(s.at) + lin)
            if s.start is not None:
                mean = np.where(ctx.years[:, None] >= s.start, mean, 0.0)
            out[s.name] = rng.poisson(mean).astype(float)
            continue
        lin = lin + tn(rng, (T, n), s.noise)
        if s.form == "log":
            out[s.name] = np.exp(np.log(s.at) + lin)
        else:
            out[s.name] = logistic(logit(s.at) + lin)
    return out


def spec_truth() -> dict[str, Any]:
    """The measurement equations as a JSON-ready mapping (part of the truth)."""
    return {
        s.name: {"latent": s.latent, "latent_ref": LATENT_REFS[s.latent], "form": s.form,
                 "at": s.at, "load": s.load, "trend": s.trend, "noise_sd": s.noise,
                 "covariates": dict(s.covs), "start_year": s.start, "direction": s.direction}
        for s in SPECS
    }
