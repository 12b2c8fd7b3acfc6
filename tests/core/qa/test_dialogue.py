from ghostline_desktop.core.qa.dialogue import check_dialogue


def _rules(text):
    return [(f.rule, text[f.start : f.end]) for f in check_dialogue(text)]


def test_balanced_dialogue_is_clean():
    text = '“Come in,” said Jane. “Thank you.”\n\n"Straight quotes," he said, "are fine too."'
    assert _rules(text) == []


def test_unclosed_and_unopened_quotes():
    text = "“Come in, said Jane. She waited.\n\nHe left the room.\n\nHe said, “Thank you.”\n\nShe said nothing.” Then."
    assert _rules(text) == [("dialogue.unclosed", "“"), ("dialogue.unopened", "”")]
    assert check_dialogue(text)[0].start == 0


def test_a_quoted_poem_over_several_stanzas_is_fine():
    text = "She read:\n\n“The sea was wide,\nThe sky was grey,\n\nAnd far away\nThe ship was gone.”\n\nShe stopped."
    assert _rules(text) == []


def test_a_quotation_left_open_to_the_chapter_end_is_flagged():
    text = "He read: “The sea was wide.\n\nShe stopped.\n\nThey went home."
    assert _rules(text) == [("dialogue.unclosed", "“")]


def test_unbalanced_straight_quote():
    text = 'He said, "Come in. She waited.\n\nHe left the room.'
    assert _rules(text) == [("dialogue.unclosed", '"')]


def test_a_speech_over_several_paragraphs_is_fine():
    text = "“It was a long journey. We walked for days.\n\n“Then we came to the sea,” said Anne.\n\nShe stopped."
    assert _rules(text) == []


def test_two_speakers_in_one_paragraph():
    text = "“Come in,” said Jane. “Thank you,” said Elizabeth.\n\n“Yes,” said Jane. “No,” she said."
    found = check_dialogue(text)
    assert [(f.rule, text[f.start : f.end], f.subject) for f in found] == [
        ("dialogue.two_speakers", "Elizabeth", "jane|elizabeth")
    ]
