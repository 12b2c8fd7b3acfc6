"""Rule-based manuscript QA: pure functions over the book's text with positions (issue 11).

``model`` holds the shapes every check shares; each check lives in its own module.
"""
