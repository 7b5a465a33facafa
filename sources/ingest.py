"""Turn uploaded or imported article files into archived plain text.

Citations quote a source's text verbatim, so the article's characters (typographic quotes,
dashes, spelling) pass through untouched: only the layout is normalised, and HTML reduced
to its readable text — a whole web page to its article, without menus, asides or footers.
Free of the database: the admin, the API and ``import_sources`` share it.
"""

from __future__ import annotations

import codecs
import copy
import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import html_text
import lxml.html
import trafilatura
import trafilatura.settings

MAX_TEXT_BYTES = 2_000_000
"""Largest file accepted: an article's text is far smaller; anything bigger is a mistake."""

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})

FRONT_MATTER_KEYS = (
    "title",
    "slug",
    "publisher",
    "url",
    "published_on",
    "language",
    "retrieved_at",
    "notes",
)
"""Keys allowed in a text file's header; they are the Source fields an editor sets."""

_FRONT_MATTER_FENCE = "---"

# Inline elements are unwrapped before extraction. html_text puts a space between every
# pair of text nodes (spans are often laid out as blocks), which would split a word such
# as "<span class=dropcap>T</span>he" or a quote such as "“<em>amazing</em>,”" and make
# verbatim quotes unfindable. Unwrapped, their text joins the surrounding text as written.
# fmt: off
_INLINE_TAGS = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "ins", "kbd", "mark", "nobr", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
})
# fmt: on
# Never shown as the article's text: the head (its <title> often repeats the headline with
# the site's name; read_article_file takes it as metadata), fallbacks and templates.
_INVISIBLE_TAGS = ("head", "noscript", "template")
# Block elements html_text does not break lines around.
_NEWLINE_TAGS = html_text.NEWLINE_TAGS | {"section", "address", "caption", "summary"}

_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
_HTML_BODY = re.compile(r"<body[\s>]", re.I)
_HTML_BLOCK_TAG = re.compile(
    r"<(?:p|div|article|body|section|main|h[1-6]|blockquote|ul|ol|li|table|br)(?:\s[^<>]*)?/?>",
    re.I,
)
_CHARSET_PARAMETER = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# The HTML standard looks for <meta charset> in the first 1024 bytes; long heads exist.
_META_CHARSET_WINDOW = 4096
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_TRAFILATURA_CONFIG = trafilatura.settings.use_config()
# Below 250 characters (its default) trafilatura falls back to the page's whole text run
# together in one paragraph; a short article is still an article, its paragraphs kept.
_TRAFILATURA_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")


class IngestError(ValueError):
    """The file cannot be archived as text; the message tells an editor what to do."""


@dataclass
class Article:
    """An article file's plain text, and the Source fields it gives (non-empty, as written)."""

    text: str
    metadata: dict[str, str]


def normalise_text(text: str) -> str:
    """Normalise layout only: BOM, line endings, trailing spaces, blank-line runs, ends.

    Characters are never replaced: quotes are matched against this text verbatim.
    """
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    # A blank line separates paragraphs; more than one carries no meaning.
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def looks_like_html(text: str) -> bool:
    """Whether text is HTML markup: a document start or typical block tags."""
    return bool(_HTML_START.match(text) or _HTML_BLOCK_TAG.search(text))


def _parse_html(html: str) -> lxml.html.HtmlElement:
    # An XML declaration names an encoding that no longer applies to a decoded string.
    return html_text.parse_html(re.sub(r"^\s*<\?xml[^>]*>", "", html))


def _tree_to_text(tree: lxml.html.HtmlElement) -> str:
    try:
        cleaned = html_text.cleaner.clean_html(tree)  # drops script, style, comments; a copy
    except AssertionError:
        # lxml's cleaner can trip on odd documents (lxml bug 1838497); html_text does the same.
        cleaned = tree
    for element in list(cleaned.iter(*_INVISIBLE_TAGS)):
        element.drop_tree()
    for element in [el for el in cleaned.iter() if el.tag in _INLINE_TAGS]:
        element.drop_tag()
    text = html_text.etree_to_text(cleaned, guess_layout=True, newline_tags=_NEWLINE_TAGS)
    return normalise_text(text)


def _article_tree(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The page's main text as trafilatura finds it (as HTML), or None if it finds none."""
    # trafilatura cleans the tree it is given; the caller's tree also gives the metadata.
    article = trafilatura.extract(
        copy.deepcopy(tree),
        output_format="html",
        include_comments=False,
        include_images=False,
        deduplicate=False,
        # Without precision, a page where it finds no article comes back whole, run together
        # in one paragraph; html-text's reduction keeps that page's lines and paragraphs.
        favor_precision=True,
        config=_TRAFILATURA_CONFIG,
    )
    return lxml.html.fromstring(article) if article and article.strip() else None


def _page_to_text(tree: lxml.html.HtmlElement) -> str:
    """A whole page's article text: trafilatura finds the article (scored against html-text
    on tests/data/pages/, see docs/editors.md), our layout rules turn it into text; the
    whole page's text when trafilatura finds no article in it."""
    if (article := _article_tree(tree)) is not None and (text := _tree_to_text(article)):
        # trafilatura keeps the headline for its metadata, but it is the article's first
        # line, and quoted like the rest: the page's one <h1>, when there is one.
        headline = _headline(tree)
        return f"{headline}\n\n{text}" if headline and headline not in text else text
    return _tree_to_text(tree)


def _headline(tree: lxml.html.HtmlElement) -> str:
    headings = [text for heading in tree.iter("h1") if (text := _tree_to_text(heading))]
    return headings[0] if len(headings) == 1 else ""


def _is_page(html: str) -> bool:
    """A whole web page (a document start or a <body>), not a fragment of one."""
    return bool(_HTML_START.match(html) or _HTML_BODY.search(html))


def html_to_text(html: str) -> str:
    """Reduce HTML to its readable plain text: a blank line between paragraphs, scripts,
    styles and the head dropped, inline tags' text kept in its sentence.

    A whole page is reduced to its article (menus, asides, banners, footers left out); a
    fragment is what its editor chose to keep, and all its text is kept.
    """
    return read_html(html).text


def read_html(html: str) -> Article:
    """HTML's readable text (as ``html_to_text``) and what the page says about itself."""
    tree = _parse_html(html)
    text = _page_to_text(tree) if _is_page(html) else _tree_to_text(tree)
    return Article(text=text, metadata=_html_metadata(tree))


def _charset_codec(name: str) -> str:
    """The Python codec for a declared charset, as browsers read it."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise IngestError(
            f"The file declares the character set “{name}”, which is unknown. "
            "Save it as UTF-8 and try again."
        ) from None
    # Browsers read Latin-1 and ASCII as Windows-1252 (WHATWG Encoding); pages that say
    # so usually hold its curly quotes and dashes at bytes Latin-1 maps to control codes.
    return "cp1252" if codec in {"iso8859-1", "ascii"} else codec


def _declared_charset(data: bytes, content_type: str) -> str | None:
    """The charset named by the content type, else by an HTML <meta> near the start."""
    if match := _CHARSET_PARAMETER.search(content_type):
        return match.group(1)
    if match := _META_CHARSET.search(data[:_META_CHARSET_WINDOW]):
        return match.group(1).decode("ascii")
    return None


def _decode(data: bytes, *, content_type: str = "") -> str:
    """Decode an uploaded file's bytes to text, refusing what is not a text file."""
    if len(data) > MAX_TEXT_BYTES:
        raise IngestError(
            f"The file is {len(data):,} bytes; the limit is {MAX_TEXT_BYTES:,} bytes. "
            "Archive the article's text only, without the rest of the page."
        )
    if not data:
        raise IngestError("The file is empty. Choose the file that holds the article's text.")
    # Notepad's "Unicode" is UTF-16 with a byte order mark; its NUL bytes are not binary.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError(
                "The file starts like UTF-16 text but is not valid UTF-16. "
                "Save it as UTF-8 and try again."
            ) from None
    if b"\x00" in data:
        raise IngestError(
            "This is not a text file (it holds binary data, as PDF or Word documents do). "
            "Save the article as plain text (.txt) or as a web page (.html) and try again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    charset = _declared_charset(data, content_type)
    if charset is None:
        raise IngestError(
            "The file is not UTF-8 text and does not say which character set it uses; "
            "save it as UTF-8 and try again."
        )
    codec = _charset_codec(charset)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise IngestError(
            f"The file is not UTF-8 text, nor valid {charset} text as it declares; "
            "save it as UTF-8 and try again."
        ) from None


def read_upload(data: bytes, *, filename: str = "", content_type: str = "") -> Article:
    """An uploaded file's plain text, HTML (by name, type or content) reduced as
    ``html_to_text`` does, and the metadata a web page gives.

    Raises IngestError, for the editor, on a file that is too big, empty or binary, or
    neither UTF-8 nor in the charset its content type or an HTML <meta> declares.
    """
    text = _decode(data, content_type=content_type)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if (
        Path(filename).suffix.lower() in HTML_SUFFIXES
        or media_type in HTML_CONTENT_TYPES
        or looks_like_html(text)
    ):
        article = read_html(text)
    else:
        article = Article(text=normalise_text(text), metadata={})
    if not article.text:
        raise IngestError("The file holds no readable text.")
    return article


def decode_upload(data: bytes, *, filename: str = "", content_type: str = "") -> str:
    """Plain text from an uploaded file's bytes, as ``read_upload`` reads it."""
    return read_upload(data, filename=filename, content_type=content_type).text


def _first_meta(tree: lxml.html.HtmlElement, *names: str) -> str:
    """The content of the first <meta> named (by name or property) in ``names`` order."""
    contents: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = " ".join((meta.get("content") or "").split())
        for attribute in ("property", "name", "itemprop"):
            key = (meta.get(attribute) or "").strip().lower()
            if key and content:
                contents.setdefault(key, content)
    return next((contents[name] for name in names if name in contents), "")


def _canonical_url(tree: lxml.html.HtmlElement) -> str:
    candidates = [
        (link.get("href") or "").strip()
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates.append(_first_meta(tree, "og:url"))
    candidates = [url for url in candidates if url]
    # A relative canonical link is useless outside the page; prefer an absolute address.
    absolute = [url for url in candidates if re.match(r"https?://", url, re.I)]
    return (absolute or candidates or [""])[0]


def _json_ld_objects(data) -> Iterator[dict]:
    """Every object in a JSON-LD document, through lists and ``@graph``."""
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _json_ld_objects(data.get("@graph"))


def _json_ld_article(tree: lxml.html.HtmlElement) -> dict:
    """The page's schema.org article (NewsArticle, BlogPosting…) from its JSON-LD, or {}."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _json_ld_objects(data):
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.endswith(("Article", "BlogPosting")) for t in types):
                return item
    return {}


def _json_ld_text(value) -> str:
    """A JSON-LD value as text: a string, or the name of an object (a publisher)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name")
    return " ".join(value.split()) if isinstance(value, str) else ""


def _iso_day(value: str) -> str:
    """The YYYY-MM-DD a date (or date and time) starts with, if it is a real day."""
    if match := _ISO_DATE.match(value):
        try:
            return datetime.date.fromisoformat(match.group(0)).isoformat()
        except ValueError:
            return ""
    return ""


def _html_metadata(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """What a web page says about itself, best effort: missing or odd values are left out.

    Open Graph first, then the JSON-LD article (what news sites give search engines), then
    the plain head: <title> often carries the site's name after the headline.
    """
    ld_article = _json_ld_article(tree)
    title = _first_meta(tree, "og:title") or _json_ld_text(ld_article.get("headline"))
    if not title:
        title = " ".join(" ".join(tree.xpath("//title//text()")).split())
    language = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    metadata = {
        "title": title,
        "publisher": _first_meta(tree, "og:site_name")
        or _json_ld_text(ld_article.get("publisher"))
        or _first_meta(tree, "publisher", "author"),
        "url": _canonical_url(tree),
        "published_on": _iso_day(_first_meta(tree, "article:published_time"))
        or _iso_day(_json_ld_text(ld_article.get("datePublished")))
        or _iso_day(_first_meta(tree, "date", "datepublished")),
        "language": language.strip(),
    }
    return {key: value for key, value in metadata.items() if value}


def _split_front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    """Split ``text`` (BOM and line endings already normalised) into header and body."""
    lines = text.split("\n")
    if lines[0] != _FRONT_MATTER_FENCE:
        return {}, text
    try:
        end = lines.index(_FRONT_MATTER_FENCE, 1)
    except ValueError:
        raise IngestError(
            f"{name}: the header that opens with “---” on line 1 is never closed. End it "
            "with a line holding only “---”, or remove line 1 if the file has no header."
        ) from None
    metadata: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or not key:
            raise IngestError(
                f"{name}, line {number}: expected “key: value” in the header, found “{line}”."
            )
        if key not in FRONT_MATTER_KEYS:
            raise IngestError(
                f"{name}, line {number}: unknown header key “{key}”. "
                f"Use one of: {', '.join(FRONT_MATTER_KEYS)}."
            )
        if key in metadata:
            raise IngestError(f"{name}, line {number}: “{key}” is given twice in the header.")
        value = value.strip()
        # Editors used to YAML quote values; the quotes are not part of the value.
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1].strip()
        metadata[key] = value
    body = "\n".join(lines[end + 1 :])
    # An empty value is the same as leaving the line out.
    return {key: value for key, value in metadata.items() if value}, body


def read_article_file(path: Path) -> Article:
    """Read an article file: its text, plus metadata from its HTML <head> or its header.

    The header, in a file that is not HTML, is ``key: value`` lines (keys from
    ``FRONT_MATTER_KEYS``) between two lines holding only ``---``. Files are decoded with
    ``decode_upload``'s rules. Raises IngestError naming the file.
    """
    try:
        raw = _decode(path.read_bytes())
    except IngestError as exc:
        raise IngestError(f"{path.name}: {exc}") from None
    raw = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    has_header = raw.startswith(_FRONT_MATTER_FENCE + "\n")
    if path.suffix.lower() in HTML_SUFFIXES or (not has_header and looks_like_html(raw)):
        article = read_html(raw)
        metadata, text = article.metadata, article.text
    else:
        metadata, body = _split_front_matter(raw, path.name)
        text = html_to_text(body) if looks_like_html(body) else normalise_text(body)
    if not text:
        raise IngestError(f"{path.name}: the file holds no readable text.")
    return Article(text=text, metadata=metadata)


def read_uploaded_file(upload) -> Article:
    """A Django ``UploadedFile`` read as ``read_upload`` does, with its part's charset."""
    if upload.size is not None and upload.size > MAX_TEXT_BYTES:
        raise IngestError(
            f"The file is {upload.size:,} bytes; the limit is {MAX_TEXT_BYTES:,} bytes."
        )
    content_type = upload.content_type or ""
    charset = upload.charset
    if charset:
        # Django splits "text/plain; charset=cp1252" into content_type and
        # charset (bytes, from a multipart part's header).
        if isinstance(charset, bytes):
            charset = charset.decode("ascii", errors="replace")
        content_type = f"{content_type}; charset={charset}"
    return read_upload(upload.read(), filename=upload.name or "", content_type=content_type)


def decode_uploaded_file(upload) -> str:
    """The text of a Django ``UploadedFile``, as ``read_uploaded_file`` reads it."""
    return read_uploaded_file(upload).text
