from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.placeholders import check_placeholders


def test_each_kind_found_at_its_exact_span_and_blocking():
    text = (
        "She arrived on TK and left. TODO: check the date. The sum was XXX pounds. "
        "Wolves are shy [citation needed]. He said [ ] and ( ) and {}. Lorem ipsum dolor sit amet. "
        "She met [insert name here]. TKTK"
    )
    found = check_placeholders(text)
    spans = [text[f.start : f.end] for f in found]
    assert spans == [
        "TK",
        "TODO:",
        "XXX",
        "[citation needed]",
        "[ ]",
        "( )",
        "{}",
        "Lorem ipsum dolor sit amet",
        "[insert name here]",
        "TKTK",
    ]
    assert all(f.is_blocking and f.severity is Severity.HIGH for f in found)
    assert all(f.finding_type is FindingType.MISSING_CONTENT for f in found)
    assert found[0].subject == "tk" and found[3].subject == "[citation needed]"


def test_prose_and_roman_numerals_are_not_placeholders():
    text = "Atkins took the todo list. See Chapter XXX for more.\n\nXXX.\n\nThe XXXIX Articles. tk tk"
    assert check_placeholders(text) == []
