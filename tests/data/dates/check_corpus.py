"""Check the gold corpus of date expressions (news.json, seeds.json, heldout.json) and print
its counts.

    cd /work/main && DJANGO_SETTINGS_MODULE=config.settings \
        .venv/bin/python tests/data/dates/check_corpus.py

Every annotation is located by its exact text and occurrence (seed texts are read from
TIMELINE_SEED_DIR, default ../shared/seeds beside the checkout; the repository holds no copy
of them), every value and
reference must parse with ``timeline.dates.parse_event_date``, and a few cheap consistency
rules from GUIDELINES.md are enforced. Exits 1 on any problem. ``load_corpus()`` gives the
documents with their texts and character spans, for a scorer to import; by default it reads
news.json and seeds.json only, so that the held-out set (heldout.json: texts written after the
tagger was tuned, same format as news.json, each annotation may add a "note") stays out of
tuning runs. Pass ``files=FILES + HELDOUT`` to score it deliberately.
"""

import collections
import datetime as dt
import itertools
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SEEDS_DIR = Path(os.environ.get("TIMELINE_SEED_DIR", REPO.parent / "shared" / "seeds"))
FILES = ("news.json", "seeds.json")
HELDOUT = ("heldout.json",)  # checked by main(), not loaded by load_corpus() unless asked
WRITTEN = ("news.json", "heldout.json")  # files holding texts written for the set
KINDS = ("absolute", "relative-weekday", "relative-deictic")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OFFSETS = {"today": 0, "yesterday": -1, "tomorrow": 1}
MAX_SEED_SPAN = 40  # characters: seeds.json holds short expressions, never sentences


def locate(text, needle, occurrence):
    """Character span of the occurrence-th (1-based) exact occurrence of needle, else None."""
    start = -1
    for _ in range(occurrence):
        start = text.find(needle, start + 1)
        if start < 0:
            return None
    return start, start + len(needle)


def load_corpus(problems=None, files=FILES):
    """Documents of the files, each with "source", "text" and per annotation "start"/"end"."""
    problems = [] if problems is None else problems
    documents = []
    for name in files:
        for doc in json.loads((HERE / name).read_text(encoding="utf-8")):
            doc = dict(doc, source=name)
            where = f"{name}:{doc.get('id')}"
            if name == "seeds.json":
                if "text" in doc:
                    problems.append(f"{where}: seeds.json must not hold article text")
                path = SEEDS_DIR / str(doc.get("file"))
                if not path.is_file():
                    problems.append(f"{where}: seed file {path} not found")
                    continue
                doc["text"] = path.read_text(encoding="utf-8")
            for ann in doc.get("dates", []):
                span = None
                if isinstance(ann.get("occurrence"), int) and ann["occurrence"] >= 1:
                    span = locate(doc["text"], ann.get("text") or "\0", ann["occurrence"])
                if span is None:
                    missing = f"{ann.get('text')!r} #{ann.get('occurrence')}"
                    problems.append(f"{where}: {missing} not found")
                    ann["start"] = ann["end"] = None
                else:
                    ann["start"], ann["end"] = span
            documents.append(doc)
    return documents


def check(documents, parse, invalid):
    problems = []
    ids = collections.Counter(doc.get("id") for doc in documents)
    problems += [f"duplicate id {i!r}" for i, n in ids.items() if n > 1]
    for doc in documents:
        where = f"{doc['source']}:{doc.get('id')}"
        text, ref = doc["text"], doc.get("reference")
        ref_day = None
        if doc["source"] in WRITTEN:
            words = len(text.split())
            if not 120 <= words <= 300:
                problems.append(f"{where}: {words} words, not 120-300")
            if ref is not None and not DAY.match(str(ref)):
                problems.append(f"{where}: a news reference is one day (YYYY-MM-DD) or null")
        elif ref is None or not doc.get("reference_note"):
            problems.append(f"{where}: a seed needs a reference and a reference_note")
        if ref is not None:
            try:
                parsed = parse(ref)
                if parsed.start == parsed.end:
                    ref_day = parsed.start
            except invalid as error:
                problems.append(f"{where}: reference {ref!r}: {error}")
        spans = []
        for ann in doc.get("dates", []):
            what = f"{where}: {ann.get('text')!r}"
            keys = set(ann) - {"start", "end"}
            if doc["source"] in HELDOUT and "note" in keys:
                keys.discard("note")
                if not isinstance(ann["note"], str) or not ann["note"].strip():
                    problems.append(f"{what}: a note must be a non-empty string")
            if keys != {"text", "occurrence", "value", "kind"}:
                problems.append(f"{what}: keys must be text, occurrence, value, kind")
            kind, value = ann.get("kind"), ann.get("value")
            if kind not in KINDS:
                problems.append(f"{what}: kind {kind!r} not one of {KINDS}")
            if doc["source"] == "seeds.json" and len(ann.get("text") or "") > MAX_SEED_SPAN:
                problems.append(f"{what}: longer than {MAX_SEED_SPAN} characters")
            if ann.get("start") is not None:
                start, end = ann["start"], ann["end"]
                before, after = text[start - 1 : start], text[end : end + 1]
                if before.isalnum() or after.isalnum():
                    problems.append(f"{what}: does not start and end on word boundaries")
                spans.append((start, end, ann["text"]))
            if value is None:
                has_year = re.search(r"\b(1[89]|20)\d\d\b", ann.get("text") or "")
                if ref is not None or (kind == "absolute" and has_year):
                    problems.append(f"{what}: null value needs a null reference and no year")
                continue
            if ref is None and kind != "absolute":
                problems.append(f"{what}: relative expression with a value but no reference")
            try:
                parsed = parse(value)
            except invalid as error:
                problems.append(f"{what}: value {value!r}: {error}")
                continue
            for year in re.findall(r"\b(?:1[89]|20)\d\d\b", ann["text"]):
                if year not in value:
                    problems.append(f"{what}: year {year} is not in value {value!r}")
            day = parsed.start if parsed.start == parsed.end else None
            name = next((w for w in WEEKDAYS if w in ann["text"]), None)
            if kind == "relative-weekday" and day and name and WEEKDAYS[day.weekday()] != name:
                problems.append(f"{what}: {value} is a {WEEKDAYS[day.weekday()]}")
            offset = OFFSETS.get(ann["text"].lower())
            if offset is not None and ref_day and day != ref_day + dt.timedelta(days=offset):
                problems.append(f"{what}: {value} is not {offset:+d} day(s) from {ref}")
        spans.sort()
        for (_, e1, t1), (s2, _, t2) in itertools.pairwise(spans):
            if s2 < e1:
                problems.append(f"{where}: {t1!r} and {t2!r} overlap")
        located = [(a["start"], a["text"]) for a in doc.get("dates", []) if a["start"] is not None]
        if located != sorted(located):
            problems.append(f"{where}: annotations are not in text order")
    return problems


def main():
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from timeline.dates import InvalidEventDate, parse_event_date

    problems = []
    documents = load_corpus(problems, FILES + HELDOUT)
    problems += check(documents, parse_event_date, InvalidEventDate)

    kinds = collections.Counter()
    for name in FILES + HELDOUT:
        docs = [d for d in documents if d["source"] == name]
        by_kind = collections.Counter(a["kind"] for d in docs for a in d["dates"])
        kinds += by_kind
        total = sum(by_kind.values())
        print(f"{name}: {len(docs)} documents, {total} expressions")
        for doc in docs:
            unresolved = sum(a["value"] is None for a in doc["dates"])
            note = f" ({unresolved} unresolved)" if unresolved else ""
            print(f"  {doc['id']:<10} ref {doc['reference']!s:<23} {len(doc['dates']):>3}{note}")
    print(f"all: {len(documents)} documents, {sum(kinds.values())} expressions")
    for kind in KINDS:
        print(f"  {kind:<17} {kinds[kind]:>4}")
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
