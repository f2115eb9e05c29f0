"""`parley eval --meantime`: reading MEANTIME's XML and scoring date values and persons.

The small articles here are written for these tests in MEANTIME's format; the real
corpus in ../shared/datasets is only read (and skipped when absent).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli import app
from parley.evaluate.meantime import read_corpus, read_document, score_corpus, timex_values
from parley.records import When

MEANTIME = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "meantime-en" / "intra-doc_annotation"

# Sentence 0 is the title, 1 the date line, then the body; only sentences 0-2 are annotated.
TOKENS = [
    (0, "Harbour"), (0, "deal"), (0, "signed"),
    (1, "March"), (1, "4"), (1, ","), (1, "2011"),
    (2, "Mayor"), (2, "Lena"), (2, "Voss"), (2, "signed"), (2, "the"), (2, "deal"), (2, "on"),
    (2, "Tuesday"), (2, ","), (2, "after"), (2, "talks"), (2, "in"), (2, "February"), (2, "."),
    (3, "Voss"), (3, "said"), (3, "work"), (3, "starts"), (3, "in"), (3, "2012"), (3, "."),
]


def write_article(folder: Path, name: str = "1_Harbour_deal_signed") -> Path:
    tokens = "\n".join(f'<token number="{i}" sentence="{s}" t_id="{i + 1}">{w}</token>'
                       for i, (s, w) in enumerate(TOKENS))

    def anchors(*ids: int) -> str:
        return "".join(f'<token_anchor t_id="{i}"/>' for i in ids)

    markables = (
        f'<TIMEX3 functionInDocument="CREATION_TIME" m_id="90" type="DATE" value="2011-03-04">{anchors(4, 5, 6, 7)}</TIMEX3>'
        f'<TIMEX3 functionInDocument="NONE" m_id="91" type="DATE" value="2011-03-01">{anchors(15)}</TIMEX3>'
        f'<TIMEX3 functionInDocument="NONE" m_id="92" type="DATE" value="2011-02">{anchors(20)}</TIMEX3>'
        f'<ENTITY_MENTION m_id="10" syntactic_type="NAM">{anchors(9, 10)}</ENTITY_MENTION>'
        '<ENTITY TAG_DESCRIPTOR="Lena Voss" ent_type="PER" m_id="50"/>'
    )
    relations = '<REFERS_TO r_id="1"><source m_id="10"/><target m_id="50"/></REFERS_TO>'
    path = folder / f"{name}.xml"
    path.write_text(f'<?xml version="1.0" ?><Document doc_id="1" doc_name="{name}" lang="en">{tokens}'
                    f"<Markables>{markables}</Markables><Relations>{relations}</Relations></Document>",
                    encoding="utf-8")
    return path


def test_article_text_is_rebuilt_with_title_and_date_line_and_offsets(tmp_path):
    article = read_document(write_article(tmp_path))
    assert article.text.startswith("Harbour deal signed\nMarch 4, 2011\nMayor Lena Voss signed the deal on Tuesday,")
    assert article.published == "2011-03-04"
    assert [(d.text, d.value) for d in article.dates] == [("Tuesday", "2011-03-01"), ("February", "2011-02")]
    assert [(p.name, p.forms) for p in article.persons] == [("Lena Voss", ["Lena Voss"])]
    # only the title and the first sentences are annotated: the last sentence is outside
    assert article.text[:article.annotated_end].endswith("in February.")
    assert "2012" not in article.text[:article.annotated_end]


def test_timex_values_of_resolved_dates():
    assert timex_values(When("Tuesday", "2011-03-01", None, "day")) == {"2011-03-01"}
    assert timex_values(When("in February", "2011-02-01", None, "month")) == {"2011-02"}
    assert timex_values(When("this week", "2011-02-28", "2011-03-06", "day")) >= {"2011-W09"}
    assert timex_values(When("the first quarter", "2011-01-01", "2011-03-31", "day")) >= {"2011-Q1"}
    both_ends = timex_values(When("between 2014 and 2016", "2014-01-01", "2016-12-31", "year"))
    assert {"2014", "2016"} <= both_ends
    assert timex_values(When("recently")) == set()


def test_scoring_counts_found_dates_right_values_and_persons(tmp_path, nlp, lexicon):
    from parley.extract.run import extract

    article = read_document(write_article(tmp_path))
    document = article.as_document()
    extraction = extract(document, nlp(document.text), lexicon)
    scores = score_corpus([article], {article.name: extraction})
    dates = scores["dates"]
    assert dates["gold"] == 2 and dates["found"] == 2
    assert dates["value_right"] == 2, scores["per_document"][article.name]["date_errors"]
    assert scores["persons"]["tp"] == 1 and scores["persons"]["fn"] == 0
    # "2012" lies in the unannotated part: it is neither right nor wrong
    assert dates["spurious"] == 0


def test_a_broken_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "broken.xml").write_text("<Document><token", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--meantime", str(tmp_path)])
    assert result.exit_code == 2
    assert "broken.xml: not a readable MEANTIME XML file" in " ".join(result.output.split())
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, ["eval", "--meantime", str(empty)])
    assert result.exit_code == 2 and "no MEANTIME files" in result.output


def test_the_real_corpus_reads_whole():
    if not MEANTIME.is_dir():
        pytest.skip("../shared/datasets/meantime-en is not present")
    articles = read_corpus(MEANTIME)
    assert len(articles) == 120
    assert sum(len(a.dates) for a in articles) > 250
    assert sum(len(a.persons) for a in articles) > 40
    for article in articles:
        for gold in article.dates:
            assert article.text[gold.start:gold.end] == gold.text
