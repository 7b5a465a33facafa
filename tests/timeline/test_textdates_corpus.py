"""The annotated date expressions: the tagger's scores may not drop.

docs/dates-in-text.md gives the scores, printed by ``tests/data/dates/corpus.py``;
the floors here are those scores rounded down to the percent. A change to the
rules that loses an expression fails here; one that gains lets a floor rise.
"""

import pytest

from tests.data.dates import check_corpus, corpus
from timeline.dates import InvalidEventDate, parse_event_date

# F1 of (strict, relaxed, value) matches.
FLOORS = {
    "news.json": (1.00, 1.00, 1.00),
    "seeds.json": (1.00, 1.00, 1.00),
    "heldout.json": (0.90, 0.96, 0.89),
}
# At least this many gold expressions, so that a set cannot shrink unnoticed.
SIZES = {"news.json": 200, "seeds.json": 20, "heldout.json": 90}


@pytest.mark.parametrize("name", FLOORS)
def test_each_annotated_set_scores_at_least_its_floor(name):
    if name == "seeds.json" and not corpus.SEEDS.is_dir():
        pytest.skip(f"the seed articles are not at {corpus.SEEDS}")
    documents = corpus.load(name)
    scores = corpus.score(documents, corpus.ours)
    assert scores.gold >= SIZES[name]
    got = tuple(scores.prf(hits)[2] for hits in (scores.strict, scores.relaxed, scores.value))
    assert all(g >= f for g, f in zip(got, FLOORS[name], strict=True)), scores.table()


def test_the_annotated_sets_are_well_formed():
    """check_corpus.py's rules: every span found, every value parses, spans in order…"""
    files = ["news.json", "heldout.json"] + (["seeds.json"] if corpus.SEEDS.is_dir() else [])
    problems = []
    documents = check_corpus.load_corpus(problems, files)
    assert sum(len(d["dates"]) for d in documents) >= 300
    assert problems + check_corpus.check(documents, parse_event_date, InvalidEventDate) == []
