"""Bilingual (Chinese / English) text for every heading, label, caption and note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cityres._shared.errors import ArgumentError

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """A piece of text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        """The text in ``lang`` ("zh" or "en")."""
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        raise ArgumentError(f"lang={lang!r}; accepted: 'zh' or 'en'")

    def format(self, **values: object) -> Text:
        """Both languages with ``str.format(**values)`` applied."""
        return Text(self.zh.format(**values), self.en.format(**values))

    def __add__(self, other: Text | str) -> Text:
        if isinstance(other, str):
            return Text(self.zh + other, self.en + other)
        return Text(self.zh + other.zh, self.en + other.en)

    def as_dict(self) -> dict[str, str]:
        """``{"zh": ..., "en": ...}`` (for JSON)."""
        return {"zh": self.zh, "en": self.en}


def check_lang(lang: str) -> Lang:
    """Validate a language argument."""
    if lang not in LANGS:
        raise ArgumentError(f"lang={lang!r}; accepted: 'zh' or 'en'")
    return lang


#: Labels of the standard city-table and panel columns.
COMMON: Mapping[str, Text] = {
    "city": Text("城市", "City"),
    "year": Text("年份", "Year"),
    "province": Text("省份", "Province"),
    "region": Text("地区", "Region"),
    "name_zh": Text("城市", "City (Chinese)"),
    "name_en": Text("城市", "City"),
    "east": Text("东部", "East"),
    "central": Text("中部", "Central"),
    "west": Text("西部", "West"),
    "northeast": Text("东北", "Northeast"),
    "Shanghai": Text("上海", "Shanghai"),
    "Jiangsu": Text("江苏", "Jiangsu"),
    "Zhejiang": Text("浙江", "Zhejiang"),
    "Anhui": Text("安徽", "Anhui"),
    "all": Text("全部", "All"),
    "n": Text("样本量", "N"),
    "mean": Text("均值", "Mean"),
    "std": Text("标准差", "Std. dev."),
    "min": Text("最小值", "Min"),
    "max": Text("最大值", "Max"),
    "median": Text("中位数", "Median"),
    "missing": Text("缺失", "Missing"),
    "variable": Text("变量", "Variable"),
    "simulated": Text("模拟数据：非真实统计", "SIMULATED DATA: not real statistics"),
}


def label(key: str, labels: Mapping[str, Text] | None = None) -> Text:
    """The bilingual label of ``key`` from ``labels``, then :data:`COMMON`, else the key."""
    if labels is not None and key in labels:
        return labels[key]
    if key in COMMON:
        return COMMON[key]
    return Text(key, key)
