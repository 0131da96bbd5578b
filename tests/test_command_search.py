"""The palette's ranking (app/command_search.py) and its number parsing (app/command_arguments.py):
plain Python, checked against hand-made expectations and hostile input."""
import math

import pytest

from app.command_arguments import MAX_NUMBER_TEXT, Number
from app.command_search import rank, score

COMMANDS = [("Next dataset", "Switch to the next built-in dataset"),
            ("Dataset…", "Choose a built-in dataset by name"),
            ("Open CSV…", "Open your own CSV file and train on it"),
            ("Learning rate ×2", "Double the learning rate η"),
            ("Learning rate…", "Type the learning rate η"),
            ("Step", "Take one gradient-descent step on the whole batch"),
            ("End the race", "Keep the shown run alone and end the race")]


def found(query):
    titles = [title for title, _help in COMMANDS]
    return rank(query, titles, COMMANDS)


def test_a_title_that_starts_with_the_words_comes_first():
    assert found("dataset")[:2] == ["Dataset…", "Next dataset"]
    assert found("learning rate")[:2] == ["Learning rate…", "Learning rate ×2"]   # shorter: more exact


def test_every_word_must_be_found_in_the_title_or_the_help():
    assert found("race end") == ["End the race"]
    assert found("own file") == ["Open CSV…"]          # from the help text only
    assert found("dataset xyz") == []


def test_the_title_counts_more_than_the_help():
    assert found("step")[0] == "Step"
    assert score("train", "Open CSV…", "train on it") < score("train", "Train only the surface", "")


def test_letters_in_order_find_an_abbreviation_ranked_last():
    assert found("lrate") == ["Learning rate…", "Learning rate ×2"]
    assert found("step lrate") == []   # every word still has to be found
    assert score("lrn", "Learning rate…") is not None
    assert score("zq", "Learning rate…") is None
    assert score("lrn", "Learning rate…") < score("learn", "Learning rate…")


def test_nothing_typed_keeps_the_given_order():
    assert found("") == [title for title, _help in COMMANDS]


RATE = Number("η", 1e-4, 1000.0)


@pytest.mark.parametrize("text, value", [("0.5", 0.5), (".5", 0.5), ("0,05", 0.05), ("1e-3", 1e-3),
                                         (" +2 ", 2.0), ("1000", 1000.0), ("−0.5e1", None)])
def test_numbers_are_read_as_written(text, value):
    if value is None:
        with pytest.raises(ValueError, match="from 0.0001 to 1000"):
            RATE.parse(text)   # a typographic minus reads as a minus: -5 is out of range
    else:
        assert math.isclose(RATE.parse(text), value)


@pytest.mark.parametrize("text", ["", "abc", "__import__('os').system('true')", "2**9", "1/2", "nan", "inf",
                                  "1e999999", "0x10", "1_000", "1e", "1.2.3", "9" * (MAX_NUMBER_TEXT + 1)])
def test_anything_else_is_refused_with_a_sentence(text):
    with pytest.raises(ValueError) as refused:
        RATE.parse(text)
    assert str(refused.value).endswith(".")


def test_a_whole_number_within_bounds_known_only_now():
    newest = [40]
    step = Number("Step", 0, lambda: newest[0], integer=True)
    assert step.parse("12") == 12 and isinstance(step.parse("12"), int)
    with pytest.raises(ValueError, match="whole number"):
        step.parse("1.5")
    with pytest.raises(ValueError, match="from 0 to 40"):
        step.parse("41")
    newest[0] = 100
    assert step.parse("41") == 41
