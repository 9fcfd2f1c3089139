"""One self-contained, bilingual HTML file from a :class:`~cityres.report.document.ReportDoc`.

The file opens offline: CSS and a few lines of JavaScript are inline, figures are PNG
data URIs, and nothing is fetched (no fonts, scripts, styles or links outside the file).
Both languages are in the file; two radio buttons styled as 中文 / English buttons and CSS
sibling selectors show one of them, so switching works without JavaScript (the script
only updates the page's ``lang`` attribute and honours ``?lang=en`` in the address).
Tables and figures are numbered in order of appearance: 表 1 / Table 1, 图 1 / Figure 1.
The same document always gives the same string.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import TypeVar

from cityres._shared.errors import ArgumentError
from cityres.report.document import ReportDoc, ReportFigure, ReportTable, Section
from cityres.report.i18n import COMMON, LANGS, Lang, Text

_UI: dict[str, Text] = {
    "contents": Text("目录", "Contents"),
    "table": Text("表 {n}", "Table {n}"),
    "figure": Text("图 {n}", "Figure {n}"),
    "source": Text("数据来源：", "Source: "),
    "notes": Text("注：", "Note: "),
    "provenance": Text("数据与运行信息", "Data and run information"),
    "facts": Text("运行信息", "Run facts"),
    "warnings": Text("数据警告", "Data warnings"),
    "data_log": Text("数据处理记录", "Data changes"),
    "none": Text("无", "None"),
    "generated": Text("生成工具：", "Generated with "),
    "switch": Text("语言", "Language"),
}
_T = TypeVar("_T")
_BUTTON = {"zh": "中文", "en": "English"}
_HTML_LANG = {"zh": "zh-CN", "en": "en"}

_CSS = """
:root{--ink:#1d1d1f;--muted:#5f6368;--rule:#d9dce1;--accent:#1f5f8b;--warn:#b00000}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;line-height:1.6;font-size:16px;
font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",
"Source Han Sans SC","Noto Sans SC",system-ui,-apple-system,"Segoe UI",sans-serif}
.lang-radio{position:absolute;opacity:0;width:1px;height:1px;pointer-events:none}
#cr-lang-zh:checked~* .l-en,#cr-lang-en:checked~* .l-zh{display:none}
.sim-banner{position:sticky;top:0;z-index:10;background:var(--warn);color:#fff;
font-weight:700;text-align:center;padding:.45em 1em;letter-spacing:.02em}
.sim-banner span{margin:0 .6em}
header.top{border-bottom:1px solid var(--rule);padding:1.2em 0 .8em}
.wrap{max-width:60rem;margin:0 auto;padding:0 1.2rem}
h1{font-size:1.7rem;margin:.2em 0}
.subtitle{color:var(--muted);margin:.2em 0 0}
.switch{float:right;margin-top:.4em}
.switch label{display:inline-block;border:1px solid var(--accent);color:var(--accent);
padding:.15em .8em;cursor:pointer;font-size:.9rem;user-select:none}
.switch label:first-of-type{border-radius:4px 0 0 4px}
.switch label:last-of-type{border-radius:0 4px 4px 0;border-left:0}
#cr-lang-zh:checked~header label[for=cr-lang-zh],
#cr-lang-en:checked~header label[for=cr-lang-en]{background:var(--accent);color:#fff}
.lang-radio:focus-visible~header .switch{outline:2px solid var(--accent);outline-offset:2px}
nav.toc{background:#f6f8fa;border:1px solid var(--rule);padding:.6em 1.2em;margin:1.2em 0}
nav.toc h2{font-size:1rem;margin:.3em 0}
nav.toc ol{margin:.2em 0;padding-left:1.4em}
nav.toc ul{margin:0;padding-left:1.2em;list-style:none;font-size:.92rem}
a{color:var(--accent)}
section.sec{margin:2.2em 0}
section.sec>h2{font-size:1.35rem;border-bottom:2px solid var(--accent);padding-bottom:.2em}
.item{margin:1.6em 0}
.caption{font-weight:600;margin:.4em 0}
.num{margin-right:.5em}
.meta{color:var(--muted);font-size:.88rem;margin:.25em 0}
.tbl{overflow-x:auto}
.tbl table{border-collapse:collapse;font-size:.9rem;margin:.3em 0}
.tbl th,.tbl td{padding:.25em .6em;border-bottom:1px solid var(--rule);text-align:right}
.tbl th:first-child,.tbl td:first-child{text-align:left}
.tbl thead th{border-bottom:2px solid var(--ink)}
figure{margin:0}
figure img{max-width:100%;height:auto;display:block;border:1px solid #eee}
.prov{border-top:2px solid var(--rule);margin-top:3em;padding-top:.5em;font-size:.9rem}
.prov dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}
.prov dt{color:var(--muted)}
.prov dd{margin:0;word-break:break-word}
.prov ul{padding-left:1.4em}
footer{color:var(--muted);font-size:.8rem;margin:2em 0 3em}
@media print{.switch,.lang-radio{display:none}.sim-banner{position:static}
nav.toc{break-after:page}.item{break-inside:avoid}}
"""

_JS = """
(function(){var r=document.querySelectorAll('input[name="cr-lang"]');
function set(l){document.documentElement.lang=l==="en"?"en":"zh-CN";}
var q=/[?&]lang=(zh|en)\\b/.exec(location.search);
r.forEach(function(i){if(q&&i.value===q[1]){i.checked=true;}
i.addEventListener("change",function(){set(i.value);});if(i.checked){set(i.value);}});})();
"""


def render_html(doc: ReportDoc) -> str:
    """The report as one self-contained HTML page in Chinese and English.

    Parameters
    ----------
    doc : ReportDoc
        Sections of tables (pre-rendered HTML per language) and figures (PNG per
        language), title, simulated flag, provenance.

    Returns
    -------
    str
        A complete HTML5 document. It shows ``doc.default_lang`` first; the 中文 /
        English buttons switch every heading, caption, note, table and figure.

    Raises
    ------
    ArgumentError
        ``doc.default_lang`` is not "zh" or "en", or ``doc.extra_css`` loads an external
        resource (``@import`` or ``url(...)`` to another address).

    Notes
    -----
    All text from the document is HTML-escaped; table fragments are inserted as given
    (they are HTML). A figure whose PNG is the same in both languages is embedded once.
    """
    if doc.default_lang not in LANGS:
        raise ArgumentError(f"doc.default_lang={doc.default_lang!r}; accepted: 'zh' or 'en'")
    numbers = item_labels(doc)
    parts: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{_HTML_LANG[doc.default_lang]}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{escape(doc.generated_with or "cityres")}">',
        f"<title>{escape(doc.title.zh)} | {escape(doc.title.en)}</title>",
        f"<style>{_CSS}{_safe_css(doc.extra_css)}</style>",
        "</head>",
        "<body>",
    ]
    for lang in LANGS:
        checked = " checked" if lang == doc.default_lang else ""
        parts.append(
            f'<input class="lang-radio" type="radio" name="cr-lang" id="cr-lang-{lang}" '
            f'value="{lang}"{checked} aria-label="{_BUTTON[lang]}">'
        )
    if doc.simulated:
        sim = COMMON["simulated"]
        parts.append(
            '<div class="sim-banner" role="alert">'
            f'<span lang="zh-CN">{escape(sim.zh)}</span>'
            f'<span lang="en">{escape(sim.en)}</span></div>'
        )
    parts.append(_header(doc))
    parts.append('<main class="wrap">')
    parts.append(_toc(doc, numbers))
    ids = _SectionIds()
    for section in doc.sections:
        parts.append(_section(section, ids.next(section.key), numbers))
    parts.append(_provenance(doc))
    parts.append("</main>")
    if doc.generated_with:
        parts.append(
            f'<footer class="wrap">{_bi(_UI["generated"] + doc.generated_with)}</footer>'
        )
    parts.append(f"<script>{_JS}</script>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


def write_html(doc: ReportDoc, path: str | Path) -> Path:
    """Write :func:`render_html` of ``doc`` to ``path`` (UTF-8); returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(doc), encoding="utf-8")
    return out


def item_labels(doc: ReportDoc) -> dict[tuple[str, str], Text]:
    """Number of every table and figure: ``{("table", "desc"): Text("表 1", "Table 1")}``.

    Tables and figures are counted separately, in order of appearance over all sections,
    and keyed by kind (``"table"`` or ``"figure"``) and item key, so a table and the
    figure drawn from it may share a key. The numbers let text refer to items
    ("见图 2" / "see Figure 2").

    Raises
    ------
    ArgumentError
        Two tables, or two figures, share a key.
    """
    out: dict[tuple[str, str], Text] = {}
    counts = {"table": 0, "figure": 0}
    for section in doc.sections:
        for item in section.items:
            kind = _kind(item)
            counts[kind] += 1
            if (kind, item.key) in out:
                raise ArgumentError(
                    f"{kind} key {item.key!r} is used twice (section {section.key!r}); "
                    f"{kind} keys must be unique in a report"
                )
            out[kind, item.key] = _UI[kind].format(n=counts[kind])
    return out


# --------------------------------------------------------------------- pieces
def _bi(text: Text, tag: str = "span") -> str:
    """Both languages of ``text``, escaped, each in its own element."""
    return "".join(
        f'<{tag} class="l-{lang}" lang="{_HTML_LANG[lang]}">{escape(text.get(lang))}</{tag}>'
        for lang in LANGS
    )


def _item_id(kind: str, key: str) -> str:
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


class _SectionIds:
    """Safe, unique HTML ids for sections."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def next(self, key: str) -> str:
        base = "sec-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)
        out, i = base, 1
        while out in self.seen:
            i += 1
            out = f"{base}-{i}"
        self.seen.add(out)
        return out


def _header(doc: ReportDoc) -> str:
    buttons = "".join(f'<label for="cr-lang-{lang}">{_BUTTON[lang]}</label>' for lang in LANGS)
    name = f"{_UI['switch'].zh} / {_UI['switch'].en}"
    switch = f'<div class="switch" role="group" aria-label="{name}">{buttons}</div>'
    subtitle = f'<p class="subtitle">{_bi(doc.subtitle)}</p>' if doc.subtitle else ""
    return (
        f'<header class="top"><div class="wrap">{switch}'
        f"<h1>{_bi(doc.title)}</h1>{subtitle}</div></header>"
    )


def _toc(doc: ReportDoc, numbers: dict[tuple[str, str], Text]) -> str:
    ids = _SectionIds()
    rows: list[str] = []
    for section in doc.sections:
        sid = ids.next(section.key)
        items = "".join(
            f'<li><a href="#{_item_id(_kind(item), item.key)}">'
            f"{_bi(numbers[_kind(item), item.key] + ' ' + item.caption)}</a></li>"
            for item in section.items
        )
        sub = f"<ul>{items}</ul>" if items else ""
        rows.append(f'<li><a href="#{sid}">{_bi(section.title)}</a>{sub}</li>')
    return (
        f'<nav class="toc"><h2>{_bi(_UI["contents"])}</h2>'
        f"<ol>{''.join(rows)}</ol></nav>"
    )


def _kind(item: ReportTable | ReportFigure) -> str:
    return "table" if isinstance(item, ReportTable) else "figure"


def _section(section: Section, sid: str, numbers: dict[tuple[str, str], Text]) -> str:
    out = [f'<section class="sec" id="{sid}">', f"<h2>{_bi(section.title)}</h2>"]
    if section.intro is not None:
        out.append(f"<p>{_bi(section.intro)}</p>")
    for item in section.items:
        if isinstance(item, ReportTable):
            out.append(_table(item, numbers["table", item.key]))
        else:
            out.append(_figure(item, numbers["figure", item.key]))
    out.append("</section>")
    return "\n".join(out)


def _caption(number: Text, caption: Text) -> str:
    return "".join(
        f'<span class="l-{lang}" lang="{_HTML_LANG[lang]}"><span class="num">'
        f"{escape(number.get(lang))}</span>{escape(caption.get(lang))}</span>"
        for lang in LANGS
    )


def _meta(source: Text, notes: Text | None) -> str:
    out = f'<p class="meta">{_bi(_UI["source"] + source)}</p>'
    if notes is not None:
        out += f'<p class="meta">{_bi(_UI["notes"] + notes)}</p>'
    return out


def _table(item: ReportTable, number: Text) -> str:
    bodies = _per_lang(item.html, what=f"table {item.key!r}")
    body = "".join(
        f'<div class="tbl l-{lang}" lang="{_HTML_LANG[lang]}">{bodies[lang]}</div>'
        for lang in LANGS
    )
    return (
        f'<div class="item table" id="{_item_id("table", item.key)}">'
        f'<p class="caption">{_caption(number, item.caption)}</p>'
        f"{body}{_meta(item.source, item.notes)}</div>"
    )


def _figure(item: ReportFigure, number: Text) -> str:
    pngs = _per_lang(item.png, what=f"figure {item.key!r}")
    alt = item.alt if item.alt is not None else item.caption
    if pngs["zh"] == pngs["en"]:
        src = _data_uri(pngs["zh"])
        images = f'<img src="{src}" alt="{escape(alt.zh)} / {escape(alt.en)}">'
    else:
        images = "".join(
            f'<img class="l-{lang}" lang="{_HTML_LANG[lang]}" src="{_data_uri(pngs[lang])}" '
            f'alt="{escape(alt.get(lang))}">'
            for lang in LANGS
        )
    return (
        f'<figure class="item figure" id="{_item_id("figure", item.key)}">{images}'
        f'<figcaption><p class="caption">{_caption(number, item.caption)}</p>'
        f"{_meta(item.source, item.notes)}</figcaption></figure>"
    )


def _per_lang(values: Mapping[Lang, _T], *, what: str) -> dict[Lang, _T]:
    """Both languages, the one given standing in for a missing one."""
    if not values:
        raise ArgumentError(f"{what} has no content; give it for 'zh' and/or 'en'")
    first = next(iter(values.values()))
    return {lang: values.get(lang, values.get("zh", first)) for lang in LANGS}


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _provenance(doc: ReportDoc) -> str:
    none = f"<p>{_bi(_UI['none'])}</p>"
    facts = "".join(f"<dt>{_bi(k)}</dt><dd>{escape(v)}</dd>" for k, v in doc.facts)
    return (
        f'<section class="prov" id="provenance"><h2>{_bi(_UI["provenance"])}</h2>'
        f"<h3>{_bi(_UI['facts'])}</h3>{f'<dl>{facts}</dl>' if facts else none}"
        f"<h3>{_bi(_UI['warnings'])} ({len(doc.warnings)})</h3>{_list(doc.warnings) or none}"
        f"<h3>{_bi(_UI['data_log'])} ({len(doc.data_log)})</h3>{_list(doc.data_log) or none}"
        "</section>"
    )


def _list(lines: Iterable[str]) -> str:
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f"<ul>{items}</ul>" if items else ""


def _safe_css(css: str) -> str:
    """Extra CSS with no way out of the style element and no external loads."""
    targets = re.findall(r"url\(\s*['\"]?\s*([^'\")\s]*)", css, flags=re.IGNORECASE)
    external = [t for t in targets if not t.lower().startswith(("data:", "#"))]
    if external or re.search(r"@import", css, flags=re.IGNORECASE):
        raise ArgumentError(
            "doc.extra_css must not load other files (@import, url(...) other than data: "
            f"URIs; found {external or ['@import']}): the report has to open offline"
        )
    return css.replace("<", "\\3C ")
