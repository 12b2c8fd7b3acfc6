"""Manuscript import: every corpus book, a generated DOCX and EPUB, preview edits, bad files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ghostline_desktop.core.words import count_words
from ghostline_desktop.errors import ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import ChaptersChanged, Event, OutlineChanged, ProjectsChanged
from tests.ingest.makers import epub_book

BOOKS = {  # chapters as tests/core/test_manuscript_split.py establishes them
    "austen-pride-and-prejudice.txt": (61, "Chapter I.", "CHAPTER LXI."),
    "carroll-alice-in-wonderland.txt": (12, "CHAPTER I. Down the Rabbit-Hole", "CHAPTER XII. Alice’s Evidence"),
    "doyle-adventures-of-sherlock-holmes.txt": (
        12,
        "I. A SCANDAL IN BOHEMIA",
        "XII. THE ADVENTURE OF THE COPPER BEECHES",
    ),
    "shelley-frankenstein.txt": (28, "Letter 1", "Chapter 24"),
    "melville-moby-dick.txt": (136, "CHAPTER 1. Loomings.", "Epilogue"),
}


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_corpus_book_becomes_a_project(services: Services, user: Any, run: Any, corpus_dir: Path, name: str) -> None:
    count, first, last = BOOKS[name]
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    try:
        done = run(services.manuscripts.import_file(corpus_dir / name, user.id, target_word_count=150_000))
    finally:
        unsubscribe()
    project, outline, chapters = done.project, done.outline, done.chapters
    assert len(chapters) == count and project.chapter_count == count
    assert (chapters[0].title, chapters[-1].title) == (first, last)
    assert [c.order for c in chapters] == list(range(1, count + 1))
    assert all(c.status == "DRAFT" and c.revision_count == 1 and c.in_outline for c in chapters)
    assert (outline.version, outline.status, outline.chapter_count) == (1, "APPROVED", count)
    assert [c["title"] for p in outline.structure["parts"] for c in p["chapters"]] == [c.title for c in chapters]
    assert [c["chapter_id"] for p in outline.structure["parts"] for c in p["chapters"]] == [str(c.id) for c in chapters]
    assert (project.status, project.target_word_count) == ("EDITING", 150_000)
    assert project.word_count == sum(c.word_count for c in chapters) > 20_000
    assert ProjectsChanged(project.id, "created") in got and OutlineChanged(project.id) in got
    assert ChaptersChanged(project.id, None, "created") in got

    (rev,) = run(services.chapters.list_revisions(chapters[0].id))
    assert (rev.revision_number, rev.source, rev.sealed, rev.note) == (1, "IMPORT", True, f"Imported from {name}")
    text = run(services.chapters.get(chapters[0].id))
    assert text.word_count == count_words(text.content) == rev.words_added
    assert "Project Gutenberg" not in text.content
    assert "Project Gutenberg" not in run(services.chapters.get(chapters[-1].id)).content


def test_preview_edits_before_accepting(services: Services, user: Any, run: Any, tmp_path: Path) -> None:
    md = tmp_path / "draft-novel.md"
    md.write_text(
        "---\ntitle: Draft\n---\n\n# Preface\n\nWhy I wrote this.\n\n"
        + "".join(f"# Chapter {n}\n\nWords of chapter {n}. More words here.\n\n" for n in range(1, 6)),
        encoding="utf-8",
    )
    projects_before = len(run(services.projects.list_projects(user.id)))
    preview = run(services.manuscripts.preview(md))
    assert (preview.format, preview.title) == ("MARKDOWN", "draft novel")
    assert [c.title for c in preview.chapters] == [f"Chapter {n}" for n in range(1, 6)]
    assert preview.chapter_words() == [7] * 5
    preface = next(i for i, x in enumerate(preview.left_out) if x.title == "Preface")
    edited = (
        preview.merged(3)  # chapters 4 and 5 become one
        .renamed(0, "The Beginning")
        .excluded(1)  # chapter 2 is not a chapter after all
        .included(preface)  # the preface is
    )
    edited = edited.split_at(2, edited.chapters[2].text.index("More"), "Chapter 3b")
    assert [c.title for c in edited.chapters] == ["Preface", "The Beginning", "Chapter 3", "Chapter 3b", "Chapter 4"]
    assert len(run(services.projects.list_projects(user.id))) == projects_before  # nothing written yet
    with pytest.raises(ValidationError):
        edited.merged(4)  # the last chapter has no next one
    done = run(services.manuscripts.accept(edited, user.id, title="  My   Novel ", genre="fantasy"))
    assert (done.project.title, done.project.genre) == ("My Novel", "FANTASY")
    assert [c.title for c in done.chapters] == [c.title for c in edited.chapters]
    merged = run(services.chapters.get(done.chapters[4].id)).content
    assert "Words of chapter 4." in merged and "# Chapter 5" in merged and "Words of chapter 5." in merged


def _docx(path: Path, *, styled: bool) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "My Novel"

    def heading(text: str, level: int) -> None:
        if styled:
            document.add_heading(text, level)
        else:
            document.add_paragraph().add_run(text).bold = True

    heading("My Novel", 0)
    heading("Preface", 1)
    document.add_paragraph("A word before the story.")
    heading("Part One", 1)
    for n, body in ((1, "It began on a Tuesday."), (2, "It went on through Wednesday.")):
        heading(f"Chapter {n}", 2)
        document.add_paragraph(body)
        document.add_paragraph("Second paragraph.")
    heading("Part Two", 1)
    heading("Chapter 3", 2)
    heading("The Return", 2)
    document.add_paragraph("And it ended on a Friday.")
    document.save(str(path))
    return path


def test_docx_chapters_come_from_heading_styles(services: Services, user: Any, run: Any, tmp_path: Path) -> None:
    preview = run(services.manuscripts.preview(_docx(tmp_path / "novel.docx", styled=True)))
    assert (preview.format, preview.title) == ("DOCX", "My Novel")
    assert [(c.title, c.part) for c in preview.chapters] == [
        ("Chapter 1", "Part One"),
        ("Chapter 2", "Part One"),
        ("Chapter 3: The Return", "Part Two"),
    ]
    assert preview.chapters[0].text == "It began on a Tuesday.\n\nSecond paragraph."
    assert [x.title for x in preview.left_out] == ["My Novel", "Preface"]
    done = run(services.manuscripts.accept(preview, user.id))
    assert [p["title"] for p in done.outline.structure["parts"]] == ["Part One", "Part Two"]
    assert [c.outline_position for c in done.chapters] == [
        {"part": 0, "chapter": 0},
        {"part": 0, "chapter": 1},
        {"part": 1, "chapter": 0},
    ]


def test_docx_without_heading_styles_is_split_by_its_text(
    services: Services, user: Any, run: Any, tmp_path: Path
) -> None:
    preview = run(services.manuscripts.preview(_docx(tmp_path / "plain.docx", styled=False)))
    # Many authors type "Chapter 1" in bold instead of using heading styles.
    assert [(c.title, c.part) for c in preview.chapters] == [
        ("Chapter 1", "Part One"),
        ("Chapter 2", "Part One"),
        ("Chapter 3", "Part Two"),
    ]
    assert preview.chapters[0].text == "It began on a Tuesday.\n\nSecond paragraph."


def test_epub_chapters_are_its_spine(services: Services, user: Any, run: Any, tmp_path: Path) -> None:
    path = epub_book(
        tmp_path / "book.epub",
        [
            ("Copyright", "<p>Copyright 2020 by the author. All rights reserved.</p>"),
            ("One", "<h1>One</h1><p>The first chapter's words.</p>"),
            ("Two", "<h1>Two</h1><p>The second chapter's words.</p><p>And more.</p>"),
            ("Three", "<h1>Three</h1><p>The last chapter's words.</p>"),
        ],
    )
    preview = run(services.manuscripts.preview(path))
    assert (preview.format, preview.title) == ("EPUB", "A Test Book")
    assert [c.title for c in preview.chapters] == ["One", "Two", "Three"]
    assert preview.chapters[1].text == "The second chapter's words.\n\nAnd more."
    assert [x.title for x in preview.left_out] == ["Copyright"]
    done = run(services.manuscripts.accept(preview, user.id))
    assert run(services.chapters.get(done.chapters[0].id)).content == "The first chapter's words."


def test_unreadable_files_are_refused_clearly(services: Services, user: Any, run: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")  # sniffed by its header
    with pytest.raises(ValidationError, match=r"book\.pdf.*DOCX, EPUB, Markdown or plain text"):
        run(services.manuscripts.preview(pdf))
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"empty\.txt"):
        run(services.manuscripts.preview(empty))
    with pytest.raises(ValidationError, match="does not exist"):
        run(services.manuscripts.preview(tmp_path / "missing.docx"))
