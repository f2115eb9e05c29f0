"""The command line: one-line errors, never a traceback; commands write what they promise."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from parley.cli import app

runner = CliRunner()
ARTICLE = "Chief negotiator Ingrid Solheim met Commissioner Pedro Alves in Geneva on Monday.\n"


def test_missing_path_is_a_one_line_error(tmp_path: Path):
    result = runner.invoke(app, ["analyze", str(tmp_path / "nowhere"), "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 2
    assert "nowhere: no such file or directory" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_store_is_refused_cleanly(tmp_path: Path):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("this is not sqlite at all, just text " * 40)
    result = runner.invoke(app, ["export", "--db", str(bogus)])
    assert result.exit_code == 2
    assert "not a parley store" in result.output


def test_analyze_then_export_and_html(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    db, html, out = tmp_path / "p.db", tmp_path / "b.html", tmp_path / "e.json"
    result = runner.invoke(app, ["analyze", str(tmp_path / "a.txt"), "--db", str(db), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "1 new documents" in result.output
    assert "Ingrid Solheim" in html.read_text()
    result = runner.invoke(app, ["export", "--db", str(db), "--output", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["format"] == "parley/1"


def test_briefing_escapes_article_markup(tmp_path: Path):
    (tmp_path / "x.txt").write_text(
        'Envoy Pedro Alves said: "<script>alert(1)</script> is what they sent us today."\n', encoding="utf-8")
    html = tmp_path / "b.html"
    result = runner.invoke(app, ["analyze", str(tmp_path), "--db", str(tmp_path / "p.db"), "--html", str(html), "--quiet"])
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_file_names_and_outlets_that_look_like_markup_are_printed_as_written(tmp_path: Path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "[draft] geneva.txt").write_text(ARTICLE, encoding="utf-8")
    (articles / "notes[bold].pdf").write_bytes(b"%PDF-1.7")
    line = '{"url": "https://news.example/%s", "outlet": "[bold]Wire", "text": "Talks in Oslo went on all night."}\n'
    (articles / "feed.jsonl").write_text(line % "[/i]" + line % "again", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(articles), "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 0, result.output
    assert f"skipped {articles / 'notes[bold].pdf'}: unsupported file type '.pdf'" in result.output
    assert "duplicate https://news.example/again: same text as https://news.example/[/i]" in result.output
    assert "│ [draft]" in result.output  # the summary table, whose narrow columns cut them short
    assert "│ [bold]W" in result.output
