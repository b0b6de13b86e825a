"""The one word-counting rule every documentation check uses (llmpath.validators.prose)."""

from __future__ import annotations

from llmpath.validators import prose


def test_a_word_is_a_run_of_letters_or_digits() -> None:
    text = "Adam's bias-correction - helps | 3 times ## --- *so* `much`"
    assert prose.words(text) == ["adam's", "bias", "correction", "helps", "3", "times", "so", "much"]


def test_comments_never_count_and_headings_and_code_are_parameters() -> None:
    text = "# Title\n<!-- a comment\nover lines -->\n## Part\nthree words here\n```\ncode code\n```\n"
    assert prose.word_count(text) == 7  # Title, Part, three words here, code code
    assert prose.word_count(text, headings=False) == 5
    assert prose.word_count(text, headings=False, code=False) == 3
    assert prose.word_count("<!-- an unclosed comment runs to the end") == 0


def test_the_starters_words_are_removed_as_a_multiset() -> None:
    starter = "## How merges are learned\nTODO: the training loop"
    assert prose.own_words(starter.replace("TODO: ", ""), starter) == 0
    assert prose.own_words(starter + "\nThe loop counts every pair and merges the most frequent.", starter) == 10
    # a word the starter used once and the learner twice counts once
    assert prose.own_words("loop loop", "loop") == 1


def test_own_text_keeps_only_what_the_learner_added() -> None:
    starter = "## The base vocabulary\n\nTODO: what the first 256 tokens are"
    assert prose.own_text(starter.replace("TODO: ", ""), starter) == ""
    assert prose.own_text("##  The base   Vocabulary\n\nwhat the first 256 tokens are", starter) == ""
    text = "## The base vocabulary\nThey are the bytes: UTF-8 needs no more.\nwhat the first 256 tokens are"
    assert prose.own_text(text, starter) == "They are the bytes: UTF-8 needs no more."


def test_starter_text_reads_what_llmpath_ships() -> None:
    assert "TODO" in prose.starter_text("M8", "VOCAB.md")
    assert prose.starter_text("M8", "no-such-file.md") == ""
