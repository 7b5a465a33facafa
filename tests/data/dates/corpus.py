"""The annotated date expressions, and TempEval-3's measures of a tagger against them.

    DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python tests/data/dates/corpus.py
    … corpus.py --compare      # also dateparser's search_dates and ctparse (pip install them)
    … corpus.py --misses       # and every expression missed, found wrongly or spurious

``news.json`` holds texts written for this set and ``seeds.json`` only the expressions
of the seed articles (read from ``../shared/seeds/``, never copied here): the rules were
tuned on these two. ``heldout.json`` was written afterwards, by another hand, and scored
without tuning: its scores are the honest ones.
GUIDELINES.md says what is annotated and how its values are chosen.

The measures (UzZaman et al., TempEval-3, 2013): **strict** counts an expression
found with exactly the gold span, **relaxed** one whose span overlaps a gold span;
**value** counts a relaxed match whose EDTF value is the gold value. Each has
precision (over the expressions found), recall (over the gold ones) and F1.
"""

import os
import sys
from dataclasses import dataclass

try:
    from tests.data.dates import check_corpus
except ImportError:  # run as a script
    import check_corpus

ROOT = check_corpus.REPO
SEEDS = check_corpus.SEEDS_DIR
ALL = ("news.json", "seeds.json", "heldout.json")


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    text: str
    value: str | None
    kind: str


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    reference: str | None
    dates: list[Gold]


def load(*files: str) -> list[Document]:
    """The annotated documents of these files (all three by default), located by
    check_corpus.py's loader; a gold expression it cannot find is an error."""
    problems = []
    found = check_corpus.load_corpus(problems, files or ALL)
    if problems:
        raise ValueError("; ".join(problems))
    return [
        Document(
            item["id"],
            item["text"],
            item["reference"],
            sorted(
                (
                    Gold(a["start"], a["end"], a["text"], a["value"], a["kind"])
                    for a in item["dates"]
                ),
                key=lambda gold: gold.start,
            ),
        )
        for item in found
    ]


@dataclass
class Scores:
    gold: int = 0
    found: int = 0
    strict: int = 0
    relaxed: int = 0
    value: int = 0

    def prf(self, hits: int) -> tuple[float, float, float]:
        precision = hits / self.found if self.found else 0.0
        recall = hits / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def table(self) -> str:
        rows = [
            "| match | precision | recall | F1 |",
            "|---|---|---|---|",
        ]
        for name, hits in (
            ("strict", self.strict),
            ("relaxed", self.relaxed),
            ("value", self.value),
        ):
            p, r, f = self.prf(hits)
            rows.append(f"| {name} | {p:.1%} | {r:.1%} | {f:.1%} |")
        accuracy = self.value / self.relaxed if self.relaxed else 0.0
        rows.append(
            f"\n{self.gold} gold expressions, {self.found} found; value accuracy over the "
            f"relaxed matches {accuracy:.1%}."
        )
        return "\n".join(rows)


def score(documents: list[Document], tagger, misses: list | None = None) -> Scores:
    """Score ``tagger(text, reference) -> [(start, end, value)]`` over the documents."""
    scores = Scores()
    for document in documents:
        found = list(tagger(document.text, document.reference))
        scores.gold += len(document.dates)
        scores.found += len(found)
        unmatched = list(document.dates)
        for start, end, value in found:
            gold = next((g for g in unmatched if g.start < end and start < g.end), None)
            if gold is None:
                if misses is not None:
                    misses.append((document.id, "spurious", document.text[start:end], value, None))
                continue
            unmatched.remove(gold)
            scores.relaxed += 1
            scores.strict += (gold.start, gold.end) == (start, end)
            scores.value += gold.value == value
            if misses is not None and (
                gold.value != value or (gold.start, gold.end) != (start, end)
            ):
                misses.append((document.id, "wrong", document.text[start:end], value, gold))
        if misses is not None:
            misses.extend((document.id, "missed", g.text, None, g) for g in unmatched)
    return scores


def ours(text: str, reference):
    from timeline.textdates import find_dates

    return [(m.start, m.end, m.value) for m in find_dates(text, reference)]


def dateparser_search(text: str, reference):
    """dateparser's search_dates, each phrase's precision from its DateDataParser period."""
    import datetime

    from dateparser import DateDataParser
    from dateparser.search import search_dates

    from timeline.textdates import Reference

    bounds = Reference.of(reference)
    settings = {"RETURN_AS_TIMEZONE_AWARE": False}
    if bounds is not None:
        base = bounds.upper
        settings["RELATIVE_BASE"] = datetime.datetime(base.year, base.month, base.day)
    periods = DateDataParser(languages=["en"], settings=settings)
    found, at = [], 0
    for phrase, moment in search_dates(text, languages=["en"], settings=settings) or []:
        start = text.find(phrase, at)
        if start < 0:
            continue
        at = start + len(phrase)
        period = periods.get_date_data(phrase).period or "day"
        parts = {"year": 1, "month": 2}.get(period, 3)
        value = _edtf(*[moment.year, moment.month, moment.day][:parts])
        found.append((start, at, value))
    return found


def _edtf(year, month=None, day=None) -> str | None:
    if year is None:
        return None
    return "-".join(
        f"{part:0{width}d}" for part, width in ((year, 4), (month, 2), (day, 2)) if part
    )


def ctparse_sentences(text: str, reference):
    """ctparse reads one expression a text: give it each sentence."""
    import datetime
    import re

    from ctparse import ctparse
    from ctparse.types import Interval, Time

    from timeline.textdates import Reference

    bounds = Reference.of(reference)
    base = bounds.upper if bounds else datetime.date.today()
    moment = datetime.datetime(base.year, base.month, base.day)
    found = []
    for sentence in re.finditer(r"[^.!?\n]+[.!?]?", text):
        parsed = ctparse(sentence[0], ts=moment, timeout=1)
        if parsed is None:
            continue
        result = parsed.resolution
        if not isinstance(result, Time | Interval):
            continue  # a duration
        ends = [result.start, result.end] if isinstance(result, Interval) else [result]
        values = [_edtf(end.year, end.month, end.day) for end in ends if end is not None]
        value = "/".join(values) if len(set(values)) > 1 else (values or [None])[0]
        found.append((sentence.start() + result.mstart, sentence.start() + result.mend, value))
    return found


def main() -> int:
    import logging

    import django

    logging.disable(logging.WARNING)  # ctparse warns of every sentence it cannot read
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    sets = {
        "tuning set (news.json and seeds.json)": ["news.json"]
        + (["seeds.json"] if SEEDS.is_dir() else []),
        "held-out set (heldout.json)": ["heldout.json"],
    }
    taggers = {"timeline.textdates": ours}
    if "--compare" in sys.argv:
        taggers["dateparser.search_dates"] = dateparser_search
        taggers["ctparse, by sentence"] = ctparse_sentences
    for title, files in sets.items():
        documents = load(*files)
        for name, tagger in taggers.items():
            misses = []
            print(f"## {name}, {title}\n\n{score(documents, tagger, misses).table()}\n")
            if "--misses" in sys.argv:
                for miss in misses:
                    print(" ", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
