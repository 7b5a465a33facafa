"""Tests for sources.ingest: article files to archived text, characters kept verbatim."""

import pytest

from sources.anchoring import anchor_quote
from sources.ingest import (
    MAX_TEXT_BYTES,
    Article,
    IngestError,
    decode_upload,
    html_to_text,
    looks_like_html,
    normalise_text,
    read_article_file,
)

# Typographic characters that must survive every step unchanged.
TYPOGRAPHY = "“We agreed,” she said — it’s ‘final’ «now» 18–24 months"

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>Trade talks resume | Example Wire</title>
  <meta property="og:title" content="Trade talks resume in Geneva">
  <meta property="og:site_name" content="Example Wire">
  <meta name="author" content="A. Reporter">
  <link rel="canonical" href="https://news.example.org/trade-talks">
  <meta property="og:url" content="https://news.example.org/og/trade-talks">
  <meta property="article:published_time" content="2025-10-30T23:15:00+09:00">
  <style>p { color: red }</style>
  <script>var tracking = "Tariffs will fall";</script>
</head>
<body>
  <nav>Home</nav>
  <article>
    <h1>Trade talks resume</h1>
    <p>The ministers met on <b>Monday</b> in <a href="/geneva">Geneva</a>.
       “We have agreed a <em>pause</em>,” the minister said.</p>
    <p>Tariffs will fall&nbsp;from 57% to 47% &amp; more&#8230;</p>
    <!-- an editor's comment that readers never see -->
    <noscript>Please enable JavaScript.</noscript>
  </article>
</body>
</html>
"""


def test_html_to_text_keeps_sentences_whole_across_inline_tags():
    assert html_to_text("<p>a <b>bold</b> word</p>") == "a bold word"
    # No space may appear inside a word or between a quote mark and the quoted word.
    assert html_to_text("<p><span class=dropcap>T</span>he “<em>amazing</em>,” day</p>") == (
        "The “amazing,” day"
    )
    assert html_to_text("<p>super<wbr>califragilistic</p>") == "supercalifragilistic"


def test_html_to_text_separates_paragraphs_and_drops_what_readers_never_see():
    text = html_to_text(ARTICLE_HTML)

    # The page is reduced to its article: the menu ("Home") is left out too.
    assert text == (
        "Trade talks resume\n"
        "\n"
        "The ministers met on Monday in Geneva. “We have agreed a pause,” the minister said.\n"
        "\n"
        "Tariffs will fall from 57% to 47% & more…"
    )
    # The head's title, the script's string and the noscript notice are gone.
    assert "Example Wire" not in text and "tracking" not in text and "JavaScript" not in text
    assert text.count("Tariffs will fall") == 1


def test_html_to_text_breaks_lines_at_br_and_list_items():
    html = "<p>First<br>second</p><ul><li>one</li><li>two</li></ul><section>a</section>b"
    assert html_to_text(html) == "First\nsecond\n\none\ntwo\n\na\nb"


def test_a_quote_from_the_page_anchors_verbatim_in_its_text():
    text = html_to_text(ARTICLE_HTML)
    quote = "“We have agreed a pause,” the minister said."
    assert anchor_quote(text, quote).exact == quote


def test_typographic_quotes_and_dashes_are_never_changed():
    assert normalise_text(TYPOGRAPHY) == TYPOGRAPHY
    assert html_to_text(f"<p>{TYPOGRAPHY}</p>") == TYPOGRAPHY
    assert decode_upload(TYPOGRAPHY.encode()) == TYPOGRAPHY


def test_normalise_text_only_touches_layout():
    raw = "\ufeff  \r\nFirst line  \r\nsecond\t\rthird\n\n\n\n  indented\n \n \nlast  \n\n"
    assert normalise_text(raw) == "First line\nsecond\nthird\n\n  indented\n\nlast"


def test_looks_like_html():
    html = ["<!DOCTYPE html><title>x</title>", "  <html lang=en>", "Intro<p>para", "<DIV class=x>y"]
    plain = ["Plain words.", "a < b and c > d", "Use <paste> here", "<3 hearts", "<pre-talks>"]

    assert {text: looks_like_html(text) for text in html + plain} == {
        **dict.fromkeys(html, True),
        **dict.fromkeys(plain, False),
    }


def test_decode_upload_reduces_html_by_name_type_or_content():
    html = b"<p>a <i>b</i> c</p>"
    assert decode_upload(html) == "a b c"
    # Markup that looks like text is still read as HTML when the upload says so.
    assert decode_upload(b"x &amp; <i>y</i>", filename="page.HTM") == "x & y"
    assert decode_upload(b"x &amp; <i>y</i>", content_type="text/html; charset=utf-8") == "x & y"
    assert decode_upload(b"x &amp; <i>y</i>", filename="notes.txt") == "x &amp; <i>y</i>"


def test_decode_upload_strips_the_utf8_bom_and_normalises_line_endings():
    assert decode_upload(b"\xef\xbb\xbfOne\r\nTwo\r\n") == "One\nTwo"


def test_decode_upload_reads_utf16_with_a_byte_order_mark():
    assert decode_upload("Caf\u00e9 “ok”".encode("utf-16")) == "Caf\u00e9 “ok”"


def test_decode_upload_uses_the_charset_of_the_content_type():
    data = "Café".encode("iso-8859-15")
    assert decode_upload(data, content_type="text/plain; charset=ISO-8859-15") == "Café"


def test_decode_upload_uses_the_charset_of_an_html_meta_tag():
    html = '<html><head><meta charset="windows-1252"></head><body><p>“Café” – ok</p>'
    assert decode_upload(html.encode("cp1252")) == "“Café” – ok"
    old_style = (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>na\u00efve</p>'
    )
    assert decode_upload(old_style.encode("latin-1")) == "na\u00efve"


def test_latin1_is_read_as_windows_1252_as_browsers_do():
    # Byte 0x93/0x94 are curly quotes in Windows-1252, control codes in strict Latin-1.
    data = b'<meta charset="iso-8859-1"><p>\x93quoted\x94</p>'
    assert decode_upload(data) == "“quoted”"


def test_decode_upload_refuses_undeclared_non_utf8_text():
    with pytest.raises(IngestError, match=r"not UTF-8 text.*save it as UTF-8"):
        decode_upload("Café".encode("latin-1"))


def test_decode_upload_refuses_an_unknown_charset():
    with pytest.raises(IngestError, match=r"“klingon-8”, which is unknown.*UTF-8"):
        decode_upload(b"caf\xe9", content_type="text/plain; charset=klingon-8")


def test_decode_upload_refuses_bytes_invalid_in_the_declared_charset():
    # 0x81 is undefined in Windows-1252.
    with pytest.raises(IngestError, match="nor valid windows-1252 text"):
        decode_upload(b"caf\xe9 \x81", content_type="text/plain; charset=windows-1252")


def test_decode_upload_refuses_binary_files():
    with pytest.raises(IngestError, match="not a text file"):
        decode_upload(b"%PDF-1.7\n\x00\x01\x02binary")


def test_decode_upload_refuses_empty_files_and_files_without_text():
    with pytest.raises(IngestError, match="empty"):
        decode_upload(b"")
    with pytest.raises(IngestError, match="no readable text"):
        decode_upload(b" \r\n\t\n")
    with pytest.raises(IngestError, match="no readable text"):
        decode_upload(b"<html><script>x()</script></html>")


def test_decode_upload_refuses_files_over_the_limit_and_says_the_limit():
    assert decode_upload(b"a" * MAX_TEXT_BYTES) == "a" * MAX_TEXT_BYTES
    with pytest.raises(IngestError, match="limit is 2,000,000 bytes"):
        decode_upload(b"a" * (MAX_TEXT_BYTES + 1))


def test_read_article_file_takes_metadata_from_the_html_head(tmp_path):
    path = tmp_path / "trade.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")

    article = read_article_file(path)

    assert article == Article(
        text=html_to_text(ARTICLE_HTML),
        metadata={
            "title": "Trade talks resume in Geneva",
            "publisher": "Example Wire",
            "url": "https://news.example.org/trade-talks",
            "published_on": "2025-10-30",
            "language": "en-GB",
        },
    )


def test_read_article_file_falls_back_to_title_author_and_og_url(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text(
        "<html><head><title> Trade\n talks </title><meta name=author content='A. Reporter'>"
        "<link rel=canonical href='/relative'>"
        "<meta property=og:url content='https://news.example.org/a'>"
        "<meta name=date content='30 October 2025'></head><body><p>Text.</p></body></html>",
        encoding="utf-8",
    )
    # A relative canonical link is passed over; a date that is not ISO is left out.
    assert read_article_file(path).metadata == {
        "title": "Trade talks",
        "publisher": "A. Reporter",
        "url": "https://news.example.org/a",
    }


def test_read_article_file_parses_the_header(tmp_path):
    path = tmp_path / "talks.md"
    path.write_bytes(
        b"\xef\xbb\xbf---\r\n"
        b"title: Trade talks: the pause\r\n"
        b"Slug: trade-talks\r\n"
        b'url: "https://news.example.org/talks"\r\n'
        b"\r\n"
        b"published_on: 2025-10-30\r\n"
        b"publisher:\r\n"
        b"---\r\n"
        b"\r\n"
        b"\xe2\x80\x9cWe agreed,\xe2\x80\x9d she said.  \r\n"
    )

    assert read_article_file(path) == Article(
        text="“We agreed,” she said.",
        metadata={
            # Only the first colon separates; quotes around a value are YAML habit.
            "title": "Trade talks: the pause",
            "slug": "trade-talks",
            "url": "https://news.example.org/talks",
            "published_on": "2025-10-30",
        },
    )


def test_read_article_file_without_header_has_no_metadata(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("Title line\n\n--- \nNot a header: just text.\n", encoding="utf-8")
    assert read_article_file(path) == Article(
        text="Title line\n\n---\nNot a header: just text.", metadata={}
    )


def test_a_header_above_html_body_gives_metadata_and_readable_text(tmp_path):
    path = tmp_path / "pasted.txt"
    path.write_text("---\ntitle: Pasted\n---\n<p>a <b>b</b></p><p>c</p>", encoding="utf-8")
    assert read_article_file(path) == Article(text="a b\n\nc", metadata={"title": "Pasted"})


def test_an_unknown_header_key_names_the_key_and_the_file(tmp_path):
    path = tmp_path / "typo.txt"
    path.write_text("---\ntitle: x\ntitel: y\n---\nText.", encoding="utf-8")
    with pytest.raises(IngestError, match=r"typo\.txt, line 3: unknown header key “titel”"):
        read_article_file(path)


def test_a_malformed_header_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "broken.md"
    for header, message in [
        ("---\ntitle: x\nText.", r"never closed"),
        ("---\ntitle x\n---\nText.", r"line 2: expected “key: value”"),
        ("---\n: x\n---\nText.", r"line 2: expected “key: value”"),
        ("---\nurl: a\nurl: b\n---\nText.", r"line 3: “url” is given twice"),
    ]:
        path.write_text(header, encoding="utf-8")
        with pytest.raises(IngestError, match=rf"^broken\.md.*{message}"):
            read_article_file(path)


def test_read_article_file_names_the_file_in_decode_errors(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x00\x01")
    with pytest.raises(IngestError, match=r"^scan\.txt: This is not a text file"):
        read_article_file(path)


def test_read_article_file_refuses_a_header_without_text(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("---\ntitle: Nothing\n---\n\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"^empty\.txt: the file holds no readable text"):
        read_article_file(path)
