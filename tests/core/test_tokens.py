import pytest

from ghostline_desktop.core.tokens import estimate_tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a", 1),
        ("abcd", 1),
        ("abcde", 2),
        ("hello world", 3),  # 11 ASCII characters, four to a token, rounded up
        ("我爱你", 3),  # ideographs: one token each
        ("こんにちは", 5),
        ("🙂🙂", 2),
        ("café", 2),  # three ASCII characters (0.75) + one accented letter (0.5), rounded up
        ("Привет", 3),  # Cyrillic: two characters a token
    ],
)
def test_estimates(text: str, expected: int) -> None:
    assert estimate_tokens(text) == expected


def test_roughly_additive() -> None:
    parts = ["The whale surfaced.", " Ahab — mad, they said — watched", " 三つの言葉", " naïve café"]
    whole = estimate_tokens("".join(parts))
    assert whole <= sum(estimate_tokens(p) for p in parts)
    assert whole >= sum(estimate_tokens(p) for p in parts) - len(parts)


def test_corpus_books_match_bpe_token_rates(corpus_dir) -> None:
    """English prose runs at about 1.3-1.5 BPE tokens a word (cl100k: ~1.35, Llama 2: ~1.6)."""
    for path in sorted(corpus_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        ratio = estimate_tokens(text) / len(text.split())
        assert 1.2 < ratio < 1.6, (path.name, ratio)
