"""Score main-text extractors on the test pages: how much article they keep, how much
boilerplate (menus, "Most read", cookie banners, "Subscribe now", footers) they let in.

Each page NAME.html has NAME.json: its article ``paragraphs`` and ``boilerplate`` lines.
Run from the project root: ``.venv/bin/python tests/data/pages/score.py``.
"""

import json
import sys
from pathlib import Path

import html_text
import trafilatura

PAGES = Path(__file__).resolve().parent
sys.path.insert(0, str(PAGES.parents[2]))

from sources.ingest import html_to_text  # noqa: E402


def squeeze(text: str) -> str:
    return " ".join(text.split())


EXTRACTORS = {
    "html-text (whole page, before)": html_text.extract_text,
    "trafilatura (defaults)": lambda html: trafilatura.extract(html) or "",
    "trafilatura (favor_recall)": lambda html: trafilatura.extract(html, favor_recall=True) or "",
    "trafilatura (favor_precision)": (
        lambda html: trafilatura.extract(html, favor_precision=True) or ""
    ),
    "trafilatura (include_tables=False)": (
        lambda html: trafilatura.extract(html, include_tables=False) or ""
    ),
    # trafilatura (favor_precision, no comments, MIN_EXTRACTED_SIZE 1) finds the article;
    # our layout rules make it text.
    "sources.ingest.html_to_text (now)": html_to_text,
}


def scores(extract) -> tuple[int, int, int, int]:
    """Article paragraphs kept, of all; boilerplate lines kept, of all."""
    kept = paragraphs = leaked = boilerplate = 0
    for page in sorted(PAGES.glob("*.html")):
        expected = json.loads(page.with_suffix(".json").read_text())
        text = squeeze(extract(page.read_text()))
        kept += sum(squeeze(p) in text for p in expected["paragraphs"])
        leaked += sum(squeeze(line) in text for line in expected["boilerplate"])
        paragraphs += len(expected["paragraphs"])
        boilerplate += len(expected["boilerplate"])
    return kept, paragraphs, leaked, boilerplate


def main() -> None:
    print(f"{len(list(PAGES.glob('*.html')))} pages")
    print(f"| {'extractor':<36} | article paragraphs kept | boilerplate lines kept |")
    print(f"|{'-' * 38}|{'-' * 25}|{'-' * 24}|")
    for name, extract in EXTRACTORS.items():
        kept, paragraphs, leaked, boilerplate = scores(extract)
        article = f"{kept}/{paragraphs} ({kept / paragraphs:.0%})"
        leak = f"{leaked}/{boilerplate} ({leaked / boilerplate:.0%})"
        print(f"| {name:<36} | {article:<23} | {leak:<22} |")


if __name__ == "__main__":
    main()
