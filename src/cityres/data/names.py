"""Match city names and codes against the bundled register of prefecture-level cities.

Yearbook extracts identify cities by 6-digit administrative code, by full Chinese name
(苏州市), short name (苏州), English name (Suzhou) or a historical name (襄樊). Several
of these collide: 苏州 (Jiangsu, 320500) and 宿州 (Anhui, 341300) are both "Suzhou" in
English; 泰州 (Jiangsu, 321200) and 台州 (Zhejiang, 331000) are both "Taizhou". Matching
therefore refuses every ambiguous or unknown value and lists candidates, unless a province
given beside the name (or ``scope``) settles it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pandas as pd

NameMode = Literal["auto", "code", "name", "none"]

_SUFFIXES = ("特别行政区", "自治州", "地区", "市", "盟")
_EN_SUFFIXES = (" city", " shi", " prefecture", " municipality")


@dataclass(frozen=True)
class CityMatch:
    """The outcome of matching one value against the register.

    ``status`` is ``"exact"`` (a current code or full name), ``"name"`` (short, English or
    alias), ``"ambiguous"``, ``"unknown"`` or ``"retired"`` (a code or name of a city
    that no longer exists and has no single successor).
    """

    value: str
    status: Literal["exact", "name", "ambiguous", "unknown", "retired"]
    code: str | None
    how: str
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value identifies exactly one current city."""
        return self.code is not None


def normalise(text: object) -> str:
    """Normalise a name for matching: NFKC (full-width → ASCII), no spaces, lower case."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s·•'’\-_]+", "", s)


def _short_zh(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _short_province(name: str) -> str:
    """浙江省 → 浙江, 广西壮族自治区 → 广西, 上海市 → 上海."""
    return re.sub(r"(壮族|回族|维吾尔)?自治区$|省$|市$", "", name)


def _strip_en(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).strip().lower()
    for suffix in _EN_SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)]
    return normalise(s)


class CityRegister:
    """Look-up tables over a register frame (index ``code``).

    The register needs columns ``name_zh``, ``status`` and optionally ``name_short``,
    ``name_en``, ``aliases`` (';'-separated), ``successor`` (';'-separated codes),
    ``province_zh`` and ``province_en``.
    """

    def __init__(self, register: pd.DataFrame) -> None:
        self.frame = register
        current = register[register["status"].astype(str) == "current"]
        self.current_codes: frozenset[str] = frozenset(current.index.astype(str))
        self.by_key: dict[str, set[str]] = {}
        self.retired: dict[str, tuple[str, ...]] = {}
        retired_keys: dict[str, set[str]] = {}
        for code, row in register.iterrows():
            code = str(code)
            if code not in self.current_codes:
                successors = tuple(s for s in str(row.get("successor") or "").split(";") if s)
                self.retired[code] = successors
                key_code = successors[0] if len(successors) == 1 else f"retired:{code}"
                for key in self._keys(row, include_short=True):
                    retired_keys.setdefault(key, set()).add(key_code)
                continue
            for key in self._keys(row, include_short=True):
                self.by_key.setdefault(key, set()).add(code)
            for alias in str(row.get("aliases") or "").split(";"):
                if alias and alias != "nan":
                    self.by_key.setdefault(normalise(alias), set()).add(code)
                    self.by_key.setdefault(normalise(_short_zh(alias)), set()).add(code)
        # A retired unit's name counts only where no current city uses it: many 1980s
        # prefectures (地区) share the short name of today's city (徐州地区 / 徐州市).
        for key, codes in retired_keys.items():
            if key not in self.by_key:
                self.by_key[key] = codes

    @staticmethod
    def _keys(row: Mapping[str, object] | pd.Series, *, include_short: bool) -> set[str]:
        keys: set[str] = set()
        zh = str(row.get("name_zh") or "")
        if zh:
            keys.add(normalise(zh))
            if include_short:
                keys.add(normalise(_short_zh(zh)))
        short = row.get("name_short")
        if isinstance(short, str) and short:
            keys.add(normalise(short))
        en = row.get("name_en")
        if isinstance(en, str) and en:
            keys.add(_strip_en(en))
        return keys

    def describe(self, code: str) -> str:
        """'苏州市 320500 (Jiangsu)' for messages."""
        if code.startswith("retired:"):
            code = code.split(":", 1)[1]
        if code not in self.frame.index:
            return code
        row = self.frame.loc[code]
        prov = row.get("province_en") or row.get("province_zh") or ""
        return f"{row['name_zh']} {code} ({prov})" if prov else f"{row['name_zh']} {code}"

    def _province_of(self, code: str) -> set[str]:
        """Every way the province of ``code`` may be written: 浙江省, 浙江, Zhejiang, 330000."""
        row = self.frame.loc[code]
        names = {str(row.get(c)) for c in ("province_zh", "province_en", "province_code")}
        names |= {_short_province(str(row.get("province_zh") or ""))}
        return {normalise(n) for n in names if n and n != "nan"}

    def match(
        self,
        value: object,
        *,
        mode: NameMode = "auto",
        province: object = None,
        scope: Iterable[str] | None = None,
    ) -> CityMatch:
        """Match one value; ``province`` (name) or ``scope`` (codes) narrow the candidates."""
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if re.fullmatch(r"\d{6}(\.0+)?", text) and mode in ("auto", "code"):
            code = text[:6]
            if code in self.current_codes:
                return CityMatch(text, "exact", code, "code")
            if code in self.retired:
                succ = self.retired[code]
                if len(succ) == 1:
                    return CityMatch(text, "name", succ[0], f"retired code {code} → {succ[0]}")
                return CityMatch(text, "retired", None, "retired code", succ)
            return CityMatch(text, "unknown", None, "code not in register", self.suggest(text))
        if mode == "code":
            return CityMatch(text, "unknown", None, "not a 6-digit code", ())
        keys = {normalise(text), _strip_en(text)}
        found: set[str] = set()
        for key in keys:
            found |= self.by_key.get(key, set())
        if scope is not None:
            scope_set = set(scope)
            found = {c for c in found if c in scope_set or c.startswith("retired:")}
        if province is not None and not (isinstance(province, float) and pd.isna(province)):
            p = normalise(province)
            narrowed = {
                c for c in found if not c.startswith("retired:") and p in self._province_of(c)
            }
            if narrowed:
                found = narrowed
        if len(found) == 1:
            code = next(iter(found))
            if code.startswith("retired:"):
                old = code.split(":", 1)[1]
                return CityMatch(text, "retired", None, f"retired city {old}", self.retired[old])
            row = self.frame.loc[code]
            exact = normalise(text) == normalise(row["name_zh"])
            return CityMatch(text, "exact" if exact else "name", code, "name")
        if len(found) > 1:
            cands = tuple(sorted(c for c in found if not c.startswith("retired:")))
            return CityMatch(text, "ambiguous", None, "several cities", cands)
        return CityMatch(text, "unknown", None, "no such city", self.suggest(text))

    def suggest(self, text: str, n: int = 3) -> tuple[str, ...]:
        """Codes of the closest names (for 'did you mean' messages)."""
        close = difflib.get_close_matches(normalise(text), list(self.by_key), n=n, cutoff=0.6)
        codes: list[str] = []
        for key in close:
            for c in sorted(self.by_key[key]):
                if not c.startswith("retired:") and c not in codes:
                    codes.append(c)
        return tuple(codes[:n])

    def explain(self, m: CityMatch) -> str:
        """A sentence for an error message about a failed match."""
        if m.status == "ambiguous":
            opts = "; ".join(self.describe(c) for c in m.candidates)
            return (
                f"{m.value!r} is ambiguous: it could be {opts}. Use the 6-digit code, the full "
                "Chinese name, or add a province column"
            )
        if m.status == "retired":
            succ = ", ".join(self.describe(c) for c in m.candidates) or "no successor recorded"
            return (
                f"{m.value!r} is a city that no longer exists ({m.how}); its area now belongs to "
                f"{succ}. Re-aggregate it to today's cities before reading"
            )
        sugg = ", ".join(self.describe(c) for c in m.candidates)
        tail = f"; did you mean {sugg}?" if sugg else ""
        return f"{m.value!r} matches no prefecture-level city in the register{tail}"


@lru_cache(maxsize=1)
def default_register() -> CityRegister:
    """The register built from the bundled ``china_cities.csv``."""
    from cityres.datasets.china import china_cities

    return CityRegister(china_cities())
