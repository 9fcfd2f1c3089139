"""The codebook of the simulated panel: one row per column, every description SIMULATED."""

from __future__ import annotations

import pandas as pd

from cityres.datasets.sim.indicators import SPECS
from cityres.datasets.sim.params import SECTORS

_SECTOR_ZH = {"agriculture": "农林牧渔业", "manufacturing": "工业(含采矿、电力)",
              "construction": "建筑业", "trade": "批发零售、交通、住宿餐饮",
              "ict": "信息传输、软件和信息技术服务业", "finance": "金融业",
              "other_services": "其他服务业"}

# name, group, dimension, unit, label_en, label_zh, direction, description (after SIMULATED)
_ROWS: list[tuple[str, str, str, str, str, str, int | None, str]] = [
    ("pilot_broadband", "policy", "", "0/1", "Broadband China pilot city (treated)",
     "宽带中国示范城市", None, "treatment: 1 from the adoption year on (yrd41: bundled "
     "calendar; lattice: random staggered cohorts)"),
    ("pilot_cbec", "policy", "", "0/1", "Cross-border e-commerce pilot zone (treated)",
     "跨境电子商务综合试验区", None, "treatment: 1 from the adoption year on"),
    ("pilot_ecdemo", "policy", "", "0/1", "National e-commerce demonstration city (treated)",
     "国家电子商务示范城市", None, "treatment: 1 from the adoption year on"),
    ("cohort_broadband", "policy", "", "year", "Broadband China adoption year",
     "宽带中国入选年份", None, "adoption cohort (0 = never in the calendar)"),
    ("cohort_cbec", "policy", "", "year", "Cross-border e-commerce zone adoption year",
     "跨境电商综试区设立年份", None, "adoption cohort (0 = never)"),
    ("cohort_ecdemo", "policy", "", "year", "E-commerce demonstration city adoption year",
     "电子商务示范城市入选年份", None, "adoption cohort (0 = never)"),
    ("phones_1984", "instrument", "", "telephones per 100 persons",
     "Fixed telephones per 100 persons in 1984 (historical instrument)", "1984年每百人固定电话数",
     None, "time-invariant city draw; enters D only through phones_1984 x nat_internet_lag "
     "(excluded from the resilience equation)"),
    ("nat_internet_lag", "instrument", "", "share (0-1)",
     "National internet penetration, previous year", "上年全国互联网普及率", None,
     "smooth national series n_(t-1) = logistic(a + b (t - 1 - 2010)), the same for all units"),
    ("de_latent", "latent", "", "index (about 0-1)", "Latent digital-economy development D",
     "数字经济发展水平(潜变量)", None, "the true digital-economy level; the regressor whose "
     "coefficient the truth describes"),
    ("ec_latent", "latent", "", "index (about 0-1)", "Latent e-commerce development E",
     "电子商务发展水平(潜变量)", None, "the true e-commerce level"),
    ("de_effect", "latent", "", "resilience per unit of D",
     "True direct marginal effect of D (beta_it)", "数字经济直接效应真值", None,
     "threshold, period, openness, region and size multipliers applied to beta_low"),
    ("ur_social_latent", "latent", "social", "score", "Latent social resilience",
     "社会韧性(潜变量)", None, "load * resilience + city and year-city noise"),
    ("ur_economic_latent", "latent", "economic", "score", "Latent economic resilience (urban)",
     "经济韧性(潜变量)", None, "load * resilience + noise"),
    ("ur_infrastructure_latent", "latent", "infrastructure", "score",
     "Latent infrastructure resilience", "基础设施韧性(潜变量)", None, "load * resilience + noise"),
    ("ur_ecological_latent", "latent", "ecological", "score", "Latent ecological resilience",
     "生态韧性(潜变量)", None, "load * resilience + noise"),
    ("er_resistance_latent", "latent", "resistance_recovery", "score",
     "Latent resistance and recovery capacity", "抵抗与恢复能力(潜变量)", None,
     "resilience and the city shock component"),
    ("er_adaptation_latent", "latent", "adaptation_adjustment", "score",
     "Latent adaptation and adjustment capacity", "适应与调整能力(潜变量)", None,
     "resilience, upgrading and employment diversity"),
    ("er_innovation_latent", "latent", "innovation_transformation", "score",
     "Latent innovation and transformation capacity", "创新与转型能力(潜变量)", None,
     "resilience, innovation and D"),
    ("resilience", "outcome", "", "index (about 0-1)", "Urban economic resilience",
     "城市经济韧性", 1, "outcome of the spatial Durbin model with city and year effects"),
    ("innovation", "mediator", "", "ln(patents per 10,000 persons)",
     "Innovation: log patents granted per 10,000 persons", "创新水平(每万人专利授权数对数)", 1,
     "mediator M1 = fe_i + tau_t + a D + u"),
    ("upgrading", "mediator", "", "ratio", "Industrial upgrading: tertiary / secondary GVA",
     "产业结构升级(第三产业/第二产业增加值)", 1, "mediator M2; equals gva tertiary / secondary"),
    ("misallocation", "mediator", "", "index", "Factor misallocation index",
     "要素错配指数", -1, "mediator M3 (higher = worse allocation)"),
    ("consumption_pc", "mediator", "", "10,000 yuan per person",
     "Retail sales of consumer goods per capita", "人均社会消费品零售总额", 1, "mediator M4"),
    ("emp_diversity", "mediator", "", "index (0-1)",
     "Employment diversity: 1 - Herfindahl over 19 industries", "就业多样化(1-赫芬达尔指数)", 1,
     "mediator M5 (a 19-industry measure, not computed from the 7 emp_ columns)"),
    ("gdp_pc", "control", "", "yuan per person", "GDP per capita", "人均地区生产总值", None,
     "control; equals gdp * 1e4 / population; enters resilience as ln"),
    ("population", "control", "", "10,000 persons", "Resident population", "常住人口", None,
     "control; enters resilience as ln"),
    ("fiscal_share", "control", "", "share (0-1)", "General budget expenditure over GDP",
     "财政支出占GDP比重", None, "control"),
    ("openness", "control", "", "ratio", "Trade (imports + exports) over GDP",
     "对外开放度(进出口总额/GDP)", None, "control; its city level defines open_group"),
    ("urbanisation", "control", "", "share (0-1)", "Urbanisation rate", "城镇化率", None,
     "control"),
]


def codebook() -> pd.DataFrame:
    """The codebook (index: column name) in data column order."""
    rows = list(_ROWS)
    for s in SPECS:
        rows.append((s.name, s.group, s.dimension, s.unit, s.label_en, s.label_zh, s.direction,
                     f"indicator, {s.form} measurement equation on latent {s.latent} "
                     f"(load {s.load:g}, trend {s.trend:g}, noise sd {s.noise:g})"))
        if s.name == "dfi_index":
            rows.append(("it_emp_share", s.group, s.dimension, "share (0-1)",
                         "ICT and software services share of employment",
                         "信息传输、软件和信息技术服务业从业人员比重", 1,
                         "indicator; identity emp_ict / emp_total"))
        if s.name == "sci_exp_share":
            rows.append(("patents_per10k", s.group, s.dimension, "patents per 10,000 persons",
                         "Patents granted per 10,000 persons", "每万人专利授权数", 1,
                         "indicator; identity exp(innovation)"))
    for kind, unit, en, zh in (("emp", "10,000 persons", "Employment", "从业人员"),
                               ("gva", "100 million yuan", "Gross value added", "增加值")):
        for sector in SECTORS:
            rows.append((f"{kind}_{sector}", "sector", sector, unit,
                         f"{en}: {sector.replace('_', ' ')}", f"{_SECTOR_ZH[sector]}{zh}", None,
                         "sector block; the 2020 shock acts on employment by sector"
                         if kind == "emp" else "sector block; output shares times GDP"))
        total = "emp_total" if kind == "emp" else "gdp"
        rows.append((total, "sector", "total", unit,
                     "Total employment" if kind == "emp" else "Gross domestic product",
                     "从业人员合计" if kind == "emp" else "地区生产总值", None,
                     f"sum of the seven {kind}_ columns"))
    table = pd.DataFrame(
        rows, columns=["name", "group", "dimension", "unit", "label_en", "label_zh",
                       "direction", "description"],
    ).set_index("name")
    table["direction"] = table["direction"].astype("Int64")
    table["description"] = "SIMULATED " + table["description"]
    return table[["label_en", "label_zh", "unit", "group", "dimension", "direction",
                  "description"]]
