from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa.runner import run_checks

from .helpers import book

POV = {FindingType.POV_INCONSISTENCY}
TENSE = {FindingType.TENSE_INCONSISTENCY}

PAST = (
    "She walked to the window and looked out. He had gone an hour before. They were tired after the long day. "
    "She waited by the fire until the clock struck nine. He returned with the letter and she read it twice.\n\n"
)


def _spans(chapters, enabled):
    by_id = {c.chapter_id: c for c in chapters}
    return [by_id[f.chapter_id].text[f.start : f.end] for f in run_checks(chapters, enabled=enabled)]


def test_first_person_slip_in_third_person_narration():
    slip = "She opened the door. I was afraid of what she would find. She stepped inside and looked around."
    chapters = book(PAST * 10, PAST * 3 + slip + "\n\n" + PAST * 3)
    assert _spans(chapters, POV) == ["I was afraid of what she would find."]


def test_dialogue_and_letters_are_not_pov_slips():
    dialogue = "She opened the door. “I was afraid,” she said. “My dear, I know.” She stepped inside and sat down."
    letter = "\n\n".join(["I write to you in haste. I have heard the news and I am grieved. My father is ill."] * 4)
    chapters = book(PAST * 10, PAST * 3 + dialogue + "\n\n" + letter + "\n\n" + PAST * 3)
    assert _spans(chapters, POV) == []


def test_narrator_addressing_the_reader_is_not_a_slip():
    aside = "She ran on. I will just explain to you how it was done. She stopped at the gate and waited."
    chapters = book(PAST * 10, PAST * 3 + aside + "\n\n" + PAST * 3)
    assert _spans(chapters, POV) == []


def test_present_tense_slip_in_past_tense_narration():
    slip = "She opened the door. She walks to the table and sits down. He watched her from the corner."
    chapters = book(PAST * 10, PAST * 3 + slip + "\n\n" + PAST * 3)
    assert _spans(chapters, TENSE) == ["She walks to the table and sits down."]


def test_past_tense_slip_in_present_tense_narration():
    present = (
        "She walks to the window and looks out. He is gone for an hour. They are tired after the long day. "
        "She waits by the fire until the clock strikes nine. He returns with the letter and she reads it.\n\n"
    )
    slip = "She opens the door. She walked to the table and sat down. He watches her from the corner."
    chapters = book(present * 10, present * 3 + slip + "\n\n" + present * 3)
    assert _spans(chapters, TENSE) == ["She walked to the table and sat down."]


def test_dialogue_in_the_present_is_not_a_slip():
    talk = "She opened the door. “He is here,” she said. “She walks every day.” He watched her from the corner."
    chapters = book(PAST * 10, PAST * 3 + talk + "\n\n" + PAST * 3)
    assert _spans(chapters, TENSE) == []


def test_a_chapter_written_in_the_present_on_purpose_is_left_alone():
    present = "She walks to the window. He is gone. They are tired. She waits by the fire. He returns.\n\n"
    chapters = book(PAST * 20, present * 6)
    assert _spans(chapters, TENSE) == []
