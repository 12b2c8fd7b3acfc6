import pickle
from dataclasses import replace

from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa.runner import RULE_CHECKS, analyse_chapter, run_checks, text_key

from .helpers import book, filler


def _book():
    return book(
        filler(["Darcy", "Jane"], 40),
        "Mr. Darcey arrived. TK. It was Monday, 3 March 1812. “Come in, said Jane.\n\nShe left.",
    )


def test_findings_carry_chapter_revision_and_exact_spans():
    chapters = _book()
    chapters[1] = replace(chapters[1], revision_id=chapters[0].chapter_id)
    found = run_checks(chapters)
    kinds = {f.finding_type for f in found}
    assert {FindingType.NAME_INCONSISTENCY, FindingType.MISSING_CONTENT, FindingType.TIMELINE_ERROR,
            FindingType.DIALOGUE_FORMATTING} <= kinds  # fmt: skip
    for f in found:
        ch = next(c for c in chapters if c.chapter_id == f.chapter_id)
        assert 0 <= f.start < f.end <= len(ch.text)
        assert f.revision_id == ch.revision_id
        assert f.subject and f.title and f.explanation and f.excerpt


def test_enabled_limits_the_checks():
    found = run_checks(_book(), enabled={FindingType.MISSING_CONTENT})
    assert {f.finding_type for f in found} == {FindingType.MISSING_CONTENT}
    assert run_checks(_book(), enabled=set()) == []
    assert FindingType.STYLE_DEVIATION not in RULE_CHECKS


def test_analysis_is_picklable_and_reused_when_the_text_matches():
    chapters = _book()
    analyses = {c.chapter_id: pickle.loads(pickle.dumps(analyse_chapter(c))) for c in chapters}
    assert run_checks(chapters, analyses) == run_checks(chapters)
    assert analyses[chapters[0].chapter_id].key == text_key(chapters[0].text)


def test_a_stale_analysis_is_recomputed():
    chapters = _book()
    analyses = {c.chapter_id: analyse_chapter(c) for c in chapters}
    edited = [chapters[0], replace(chapters[1], text=chapters[1].text.replace("TK. ", ""))]
    found = run_checks(edited, analyses)
    assert FindingType.MISSING_CONTENT not in {f.finding_type for f in found}


def test_lorem_ipsum_is_a_placeholder_not_misspellings():
    chapters = book("She said lorem ipsum dolor sit amet and left. " + filler(["Anne"], 10))
    found = run_checks(chapters, enabled={FindingType.SPELLING, FindingType.MISSING_CONTENT})
    assert [f.finding_type for f in found] == [FindingType.MISSING_CONTENT]
