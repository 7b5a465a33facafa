"""manage.py import_sources: article files become sources, reported file by file."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sources.models import Source
from tests.factories import SAMPLE_TEXT, CitationFactory, SourceFactory
from timeline.models import Citation

pytestmark = pytest.mark.django_db

REASON = "manage.py import_sources"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def header(text: str, **fields: str) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\n{lines}---\n{text}"


def run(*args) -> str:
    """Run the command; its stdout. Raises CommandError like the command line exits 1."""
    out, err = StringIO(), StringIO()
    call_command("import_sources", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def run_failing(*args) -> tuple[str, str]:
    """Run a command expected to fail; its stdout and the error message."""
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_sources", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue(), str(excinfo.value)


def test_a_text_file_with_a_header_becomes_a_source(tmp_path):
    path = write(
        tmp_path / "Geneva talks.txt",
        header(
            "The ministers met.\r\n\r\n\r\nTariffs will fall.  \n",
            title="Trade talks resume",
            slug="geneva-talks",
            publisher="Example Wire",
            url="https://news.example.org/geneva",
            published_on="2025-10-30",
            language="en-GB",
            retrieved_at="2025-10-31T08:00:00",
            notes="Front page.",
        ),
    )

    output = run(path)

    assert output.splitlines()[-1] == (
        "Imported 1 file(s): 1 created, 0 updated, 0 skipped, 0 failed."
    )
    source = Source.objects.get()
    assert (source.slug, source.title, source.publisher, source.url) == (
        "geneva-talks",
        "Trade talks resume",
        "Example Wire",
        "https://news.example.org/geneva",
    )
    assert source.published_on == datetime.date(2025, 10, 30)
    assert source.language == "en-GB" and source.notes == "Front page."
    # A time without zone is UTC, as the service's clock is.
    assert source.retrieved_at == datetime.datetime(2025, 10, 31, 8, tzinfo=datetime.UTC)
    assert source.text == "The ministers met.\n\nTariffs will fall."
    assert source.history.first().history_change_reason == REASON


def test_without_a_header_the_file_name_gives_slug_and_title(tmp_path):
    path = write(tmp_path / "Busan_summit-report.md", "Leaders met in Busan.")

    run(path, "--publisher", "Example Wire", "--language", "fr")

    source = Source.objects.get()
    assert (source.slug, source.title) == ("busan_summit-report", "Busan summit report")
    assert (source.publisher, source.language, source.url) == ("Example Wire", "fr", "")


def test_the_file_wins_over_options_which_only_fill_gaps(tmp_path):
    path = write(tmp_path / "a.txt", header("Text.", publisher="In File"))

    run(path, "--publisher", "Option", "--title", "Option title", "--published-on", "2025-01-02")

    source = Source.objects.get()
    assert (source.publisher, source.title) == ("In File", "Option title")
    assert source.published_on == datetime.date(2025, 1, 2)


def test_a_long_file_name_gives_a_slug_of_at_most_100_characters(tmp_path):
    path = write(tmp_path / f"{'word-' * 30}end.txt", "Text.")

    run(path)

    slug = Source.objects.get().slug
    assert len(slug) <= 100 and slug.startswith("word-word-") and not slug.endswith("-")


def test_an_html_file_gives_its_metadata_and_readable_text(tmp_path):
    path = write(
        tmp_path / "page.html",
        '<html lang="de"><head><title>Gipfel</title>'
        '<meta property="og:site_name" content="Beispiel">'
        '<link rel="canonical" href="https://beispiel.example/gipfel"></head>'
        "<body><p>Die <b>Minister</b> trafen sich.</p><p>Zweiter Absatz.</p></body></html>",
    )

    run(path)

    source = Source.objects.get(slug="page")
    assert (source.title, source.publisher, source.language) == ("Gipfel", "Beispiel", "de")
    assert source.url == "https://beispiel.example/gipfel"
    assert source.text == "Die Minister trafen sich.\n\nZweiter Absatz."


def test_a_directory_imports_its_article_files_in_name_order(tmp_path):
    write(tmp_path / "b.md", "Bee.")
    write(tmp_path / "a.txt", "Ay.")
    write(tmp_path / "c.htm", "<p>Sea.</p>")
    write(tmp_path / "notes.csv", "not,an,article")
    write(tmp_path / "._a.txt", "macOS metadata")
    (tmp_path / "deeper").mkdir()
    write(tmp_path / "deeper" / "d.txt", "Dee.")

    output = run(tmp_path, "-v", "2")

    assert output.splitlines() == [
        f"created  {tmp_path / 'a.txt'} (a)",
        f"created  {tmp_path / 'b.md'} (b)",
        f"created  {tmp_path / 'c.htm'} (c)",
        "Imported 3 file(s): 3 created, 0 updated, 0 skipped, 0 failed.",
    ]
    assert dict(Source.objects.values_list("slug", "text")) == {
        "a": "Ay.",
        "b": "Bee.",
        "c": "Sea.",
    }


def test_recursive_descends_into_subdirectories(tmp_path):
    write(tmp_path / "a.txt", "Ay.")
    (tmp_path / "deeper").mkdir()
    write(tmp_path / "deeper" / "d.txt", "Dee.")

    output = run(tmp_path, "--recursive")

    assert "2 created" in output
    assert set(Source.objects.values_list("slug", flat=True)) == {"a", "d"}


def test_title_and_url_options_are_refused_for_several_files(tmp_path):
    write(tmp_path / "a.txt", "Ay.")
    write(tmp_path / "b.txt", "Bee.")

    _, error = run_failing(tmp_path, "--url", "https://news.example.org/x")

    assert "--title and --url name one article, but 2 files were given" in error
    assert not Source.objects.exists()


def test_invalid_options_are_refused_before_any_file_is_read(tmp_path):
    write(tmp_path / "a.txt", "Ay.")

    _, error = run_failing(tmp_path, "--language", "English")

    assert "BCP 47" in error
    assert not Source.objects.exists()


def test_a_missing_path_is_refused(tmp_path):
    _, error = run_failing(tmp_path / "nowhere.txt")
    assert error == f"{tmp_path / 'nowhere.txt'}: no such file or directory."


def test_a_bad_file_is_reported_and_the_others_are_still_imported(tmp_path):
    write(tmp_path / "a.txt", "Ay.")
    write(tmp_path / "b.txt", header("Bee.", url="javascript:alert(1)"))
    write(tmp_path / "c.txt", header("Sea.", language="English"))
    write(tmp_path / "d.txt", header("Dee.", titel="Typo"))
    write(tmp_path / "e.txt", "Ee.")

    output, error = run_failing(tmp_path)

    assert error == "3 file(s) could not be imported; see above."
    lines = output.splitlines()
    assert lines[-1] == "Imported 5 file(s): 2 created, 0 updated, 0 skipped, 3 failed."
    failed = [line for line in lines if line.startswith("failed")]
    assert len(failed) == 3
    assert failed[0].startswith(f"failed   {tmp_path / 'b.txt'}: url: ")
    assert "http:// or https://" in failed[0]
    assert failed[1].startswith(f"failed   {tmp_path / 'c.txt'}: language: ")
    assert "unknown header key “titel”" in failed[2]
    assert "Traceback" not in output
    assert set(Source.objects.values_list("slug", flat=True)) == {"a", "e"}


def test_an_existing_source_is_skipped_when_unchanged_or_without_update(tmp_path):
    write(tmp_path / "same.txt", header("Same text.", title="Same"))
    write(tmp_path / "other.txt", "Other text.")
    run(tmp_path)
    write(tmp_path / "other.txt", "Other text, revised.")

    output = run(tmp_path)

    assert f"skipped  {tmp_path / 'same.txt'} (same): unchanged" in output
    assert (
        f"skipped  {tmp_path / 'other.txt'} (other): exists with different text; use --update"
    ) in output
    assert output.splitlines()[-1] == (
        "Imported 2 file(s): 0 created, 0 updated, 2 skipped, 0 failed."
    )
    assert Source.objects.get(slug="other").text == "Other text."


def test_changed_metadata_alone_is_named_when_skipped(tmp_path):
    path = write(tmp_path / "a.txt", header("Ay.", publisher="First"))
    run(path)
    write(path, header("Ay.", publisher="Second", published_on="2025-10-30"))

    output = run(path)

    assert "exists with different publisher, published_on; use --update" in output
    assert Source.objects.get().publisher == "First"


def test_update_replaces_text_and_metadata_and_keeps_what_the_file_does_not_give(tmp_path):
    source = SourceFactory(slug="talks", title="Edited title", notes="Editors' note")
    path = write(tmp_path / "talks.txt", header("New text.", publisher="New Wire"))

    output = run(path, "--update")

    assert output.splitlines()[-1] == (
        "Imported 1 file(s): 0 created, 1 updated, 0 skipped, 0 failed."
    )
    source.refresh_from_db()
    assert (source.text, source.publisher) == ("New text.", "New Wire")
    # The title made from a file name is only a fallback for new sources.
    assert (source.title, source.notes) == ("Edited title", "Editors' note")
    assert source.version == 2
    assert source.history.first().history_change_reason == REASON


def test_update_reanchors_citations_and_reports_the_lost_one_without_deleting_it(tmp_path):
    source = SourceFactory(slug="talks")
    kept = CitationFactory(source=source, event__slug="geneva", quote="met in Geneva on Monday")
    lost = CitationFactory(
        source=source, event__slug="tariffs", quote="Tariffs will fall from 57% to 47%."
    )
    assert kept.is_anchored and lost.is_anchored
    new_text = "Breaking: " + SAMPLE_TEXT.replace("from 57% to 47%", "sharply")
    path = write(tmp_path / "talks.txt", new_text)

    output, error = run_failing(path, "--update")

    assert error == "1 citation(s) no longer anchor in their updated source; see above."
    assert (
        output.splitlines()[-1] == "Imported 1 file(s): 0 created, 1 updated, 0 skipped, 0 failed."
    )
    assert (
        "unanchored in talks: event tariffs: “Tariffs will fall from 57% to 47%.” is no longer "
        "in the text (kept; edit or remove it in the admin)"
    ) in output
    assert "event geneva" not in output
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert lost.position_start is None and lost.quote == "Tariffs will fall from 57% to 47%."
    # The kept citation moved with the text.
    assert new_text[kept.position_start : kept.position_end] == "met in Geneva on Monday"
    assert Citation.objects.count() == 2


def test_a_long_unanchored_quote_is_shortened_in_the_report(tmp_path):
    source = SourceFactory(slug="long", text=SAMPLE_TEXT)
    quote = "“We have agreed a pause,” the minister said after the talks — the first in a year."
    CitationFactory(source=source, event__slug="pause", quote=quote)

    output, _ = run_failing(write(tmp_path / "long.txt", "Something else entirely."), "--update")

    assert f"event pause: “{quote[:60]}…”" in output


def test_dry_run_reports_but_writes_nothing(tmp_path):
    source = SourceFactory(slug="talks")
    citation = CitationFactory(source=source, event__slug="tariffs")
    write(tmp_path / "talks.txt", "Completely new text.")
    write(tmp_path / "fresh.txt", "A new article.")
    history_before = (Source.history.count(), Citation.history.count())

    output, error = run_failing(tmp_path, "--update", "--dry-run")

    assert error == (
        "1 citation(s) no longer anchor in their updated source (the update would leave them "
        "so); see above."
    )
    assert output.splitlines()[-1] == (
        "Dry run, nothing written. Would import 2 file(s): 1 created, 1 updated, 0 skipped, "
        "0 failed."
    )
    # The dry run still tells which quotes the new text would lose.
    assert "unanchored in talks: event tariffs" in output
    assert list(Source.objects.values_list("slug", flat=True)) == ["talks"]
    source.refresh_from_db()
    citation.refresh_from_db()
    assert (source.text, source.version) == (SAMPLE_TEXT, 1)
    assert citation.is_anchored and citation.version == 1
    assert (Source.history.count(), Citation.history.count()) == history_before


def test_two_files_with_the_same_slug_are_not_both_imported(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    write(tmp_path / "one" / "report.txt", "First.")
    write(tmp_path / "two" / "report.txt", "Second.")

    output, _ = run_failing(tmp_path, "--recursive")

    assert f"same slug “report” as {tmp_path / 'one' / 'report.txt'}" in output
    assert Source.objects.get().text == "First."


def test_a_file_name_without_letters_needs_a_slug_in_the_header(tmp_path):
    output, _ = run_failing(write(tmp_path / "____.txt", "Text."))
    assert "no slug can be made from the file name" in output


def test_an_empty_directory_is_an_error(tmp_path):
    _, error = run_failing(tmp_path)
    assert error.startswith("No .txt, .md, .html, .htm files found in")


def test_importing_the_seed_articles_creates_five_sources(seed_dir):
    output = run(seed_dir)

    assert output.splitlines()[-1] == (
        "Imported 5 file(s): 5 created, 0 updated, 0 skipped, 0 failed."
    )
    assert Source.objects.count() == 5
    for path in sorted(seed_dir.glob("*.txt")):
        source = Source.objects.get(slug=path.stem)
        # Only layout is normalised: the words and typography are the file's.
        assert source.text == path.read_text(encoding="utf-8").strip().replace("\n\n\n", "\n\n")
    # A second run finds nothing to do.
    assert run(seed_dir).splitlines()[-1] == (
        "Imported 5 file(s): 0 created, 0 updated, 5 skipped, 0 failed."
    )


def test_without_a_terminal_progress_is_a_line_now_and_then(tmp_path, monkeypatch):
    from timeline.management.commands import import_sources

    for name in "abc":
        write(tmp_path / f"{name}.txt", f"Article {name}.")
    write(tmp_path / "d.txt", header("Dee.", titel="Typo"))
    monkeypatch.setattr(import_sources, "PROGRESS_SECONDS", 0)  # a line after each file
    err = StringIO()  # not a terminal, as in a log or CI

    with pytest.raises(CommandError):
        call_command("import_sources", str(tmp_path), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[:4] == [
        "import_sources: 1 of 4 files (25%), 0 failed",
        "import_sources: 2 of 4 files (50%), 0 failed",
        "import_sources: 3 of 4 files (75%), 0 failed",
        "import_sources: 4 of 4 files (100%), 1 failed",
    ]
