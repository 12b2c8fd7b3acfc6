"""Rule-based manuscript QA: pure functions over the book's text with positions (issue 11).

``model`` holds the shapes every check shares; each check lives in its own module:

========================  ==========================  ==========================================
finding type              module                      rules (``Finding.rule``)
========================  ==========================  ==========================================
NAME_INCONSISTENCY        ``names``                   names.variant
TIMELINE_ERROR            ``timeline``                timeline.weekday / .order / .age
POV_INCONSISTENCY         ``narration``               pov.first_person
TENSE_INCONSISTENCY       ``narration``               tense.present / tense.past
MISSING_CONTENT           ``placeholders``            placeholder.tk / .todo / .xxx / .cite /
                                                      .bracket / .lorem (blocking)
REPETITION                ``repetition``              repetition.phrase / .overuse
DIALOGUE_FORMATTING       ``dialogue``                dialogue.unclosed / .unopened / .two_speakers
SPELLING                  ``spelling``                spelling.unknown
STYLE_DEVIATION           ``style``                   style.below_range
========================  ==========================  ==========================================

How the workflow calls them (``runner``):

* ``analyse_chapter(ch) -> ChapterAnalysis``: all the per-chapter work; depends on
  ``ch.text`` only (no ids inside), picklable, so run it with ``JobContext.run_cpu`` and
  cache it by ``text_key(ch.text)`` (a blake2b of the text, also ``analysis.key``).
* ``run_checks(chapters, analyses=None, *, enabled=None) -> list[Finding]``: ``analyses``
  maps ``chapter_id`` to a cached analysis; a missing one, or one whose ``key`` does not
  match the chapter's text, is recomputed. ``enabled`` is a set of ``FindingType`` (default:
  ``RULE_CHECKS``, every type above except STYLE_DEVIATION). The book-level step is cheap
  (tens of ms for a novel), so an incremental run re-analyses only the edited chapters and
  recombines everything: name statistics, the dominant POV/tense and word baselines are
  book-wide, so a finding in an unedited chapter can appear or go away too.
* ``check_style_deviation(scores, score_range)`` with ``[(ChapterText, similarity_score)]``
  and the voice profile's ``style_attributes["score_range"]``.

Each finding's ``start``/``end`` index into that chapter's ``text`` (the revision given
in ``ChapterText.revision_id``, copied to the finding); ``excerpt`` is the flagged text with
a little context on one line, for the panel. ``(finding_type, rule, subject)`` — plus the
chapter — is the fingerprint: ``subject`` is the normalised text the finding concerns
("darcey→darcy", "tk", "suddenly", the sentence in lower case for POV/tense), stable when
text elsewhere changes. The pyspellchecker dictionary is loaded lazily once per process
(~0.3 s); lookups are cached.
"""
