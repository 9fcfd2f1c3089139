"""Coarse priors that make the simulated magnitudes plausible for the 41 YRD cities.

These are **not statistics**. Each city is put in a class by the authors' coarse judgement
(population class XL…XS, development tier A…D, openness tier 1…4) and a few cities get a
bonus in the digital-economy or e-commerce level (Hangzhou's platform economy, Yiwu in
Jinhua, Suqian and Xuzhou's rural e-commerce). The simulation draws every value at random
around the class means in :data:`~cityres.datasets.sim.params.DEFAULT_PARAMS`; the classes
only decide that Shanghai is large and rich and that northern Anhui is smaller and poorer.
"""

from __future__ import annotations

from typing import NamedTuple


class Prior(NamedTuple):
    """Class memberships of one city (see module docstring)."""

    size: str  # XL, L, M, S, XS
    dev: str  # A (richest) ... D
    open: str  # "1" (most open) ... "4"
    de_bonus: float = 0.0  # added to the digital-economy level alpha_i
    ec_bonus: float = 0.0  # added to the e-commerce level
    finance_hub: float = 0.0  # added to the finance logit within the tertiary sector


YRD41_PRIORS: dict[str, Prior] = {
    "310000": Prior("XL", "A", "1", 0.05, 0.05, 0.6),  # Shanghai
    "320100": Prior("L", "A", "2", 0.03, 0.0, 0.2),  # Nanjing
    "320200": Prior("M", "A", "1"),  # Wuxi
    "320300": Prior("L", "C", "3", 0.0, 0.04),  # Xuzhou
    "320400": Prior("M", "A", "2"),  # Changzhou
    "320500": Prior("L", "A", "1"),  # Suzhou (Jiangsu)
    "320600": Prior("M", "B", "2"),  # Nantong
    "320700": Prior("M", "C", "3"),  # Lianyungang
    "320800": Prior("M", "C", "3"),  # Huai'an
    "320900": Prior("M", "C", "3"),  # Yancheng
    "321000": Prior("M", "B", "3"),  # Yangzhou
    "321100": Prior("S", "B", "3"),  # Zhenjiang
    "321200": Prior("M", "B", "2"),  # Taizhou (Jiangsu)
    "321300": Prior("M", "D", "3", 0.0, 0.04),  # Suqian
    "330100": Prior("L", "A", "2", 0.10, 0.10, 0.2),  # Hangzhou
    "330200": Prior("L", "A", "1"),  # Ningbo
    "330300": Prior("L", "C", "2", 0.0, 0.05),  # Wenzhou
    "330400": Prior("M", "B", "1"),  # Jiaxing
    "330500": Prior("S", "B", "2"),  # Huzhou
    "330600": Prior("M", "B", "2"),  # Shaoxing
    "330700": Prior("M", "C", "1", 0.0, 0.12),  # Jinhua (Yiwu)
    "330800": Prior("S", "C", "3"),  # Quzhou
    "330900": Prior("XS", "B", "1"),  # Zhoushan
    "331000": Prior("M", "C", "2", 0.0, 0.04),  # Taizhou (Zhejiang)
    "331100": Prior("S", "C", "3"),  # Lishui
    "340100": Prior("L", "C", "3", 0.03, 0.0, 0.1),  # Hefei
    "340200": Prior("S", "C", "3"),  # Wuhu
    "340300": Prior("S", "D", "4"),  # Bengbu
    "340400": Prior("S", "D", "4"),  # Huainan
    "340500": Prior("S", "C", "3"),  # Ma'anshan
    "340600": Prior("XS", "D", "4"),  # Huaibei
    "340700": Prior("XS", "C", "3"),  # Tongling
    "340800": Prior("M", "D", "4"),  # Anqing
    "341000": Prior("XS", "D", "4"),  # Huangshan
    "341100": Prior("S", "D", "4"),  # Chuzhou
    "341200": Prior("L", "D", "4"),  # Fuyang
    "341300": Prior("M", "D", "4"),  # Suzhou (Anhui)
    "341500": Prior("M", "D", "4"),  # Lu'an
    "341600": Prior("M", "D", "4"),  # Bozhou
    "341700": Prior("XS", "D", "4"),  # Chizhou
    "341800": Prior("S", "D", "4"),  # Xuancheng
}

PROVINCE_ROLE = {"31": "shanghai", "32": "jiangsu", "33": "zhejiang", "34": "anhui"}
"""Province of a 6-digit code by its first two digits (the role used by the model)."""

ROLE_REGION = {"shanghai": "east", "jiangsu": "east", "zhejiang": "east", "anhui": "central"}
"""NBS region of each province role (Anhui is in the central region)."""

ROLE_NAMES = {
    "shanghai": ("Shanghai", "上海市"),
    "jiangsu": ("Jiangsu", "江苏省"),
    "zhejiang": ("Zhejiang", "浙江省"),
    "anhui": ("Anhui", "安徽省"),
}

SIZE_TIERS = ("XL", "L", "M", "S", "XS")
DEV_TIERS = ("A", "B", "C", "D")
OPEN_TIERS = ("1", "2", "3", "4")
