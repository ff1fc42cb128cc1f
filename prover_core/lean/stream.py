"""Navigation over a token stream: neighbours past trivia, brackets and their matches,
attribute lists, the comma-separated item holding a token. Context rules of the screen
(`screen.py`) ask it where a token stands.

Bracket structure is built once, on first use, so each question costs a bisection or a
bounded walk: screening stays linear in the text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from prover_core.lean.lexer import Kind, Token, is_trivia, kind_of

__all__ = ["TokenStream"]

_OPENERS = frozenset(("(", "[", "{", "⟨", "@["))
_CLOSERS = frozenset(")]}⟩")
_BRACKETS = _OPENERS | _CLOSERS
WALK = 16  # tokens a walk may look back over (bounds the work per question)


class TokenStream:
    """Tokens `texts[k]` at offsets `starts[k]`, in order; trivia may be mixed in (`tile`)."""

    def __init__(self, texts: list[str], starts: list[int]) -> None:
        self.texts, self.starts = texts, starts
        # Built on first use: attribute-list spans; bracket indices, innermost opener, and
        # each closer's opener.
        self._attributes: list[tuple[int, int]] | None = None
        self._brackets: tuple[list[int], list[int], dict[int, int]] | None = None

    def token(self, k: int) -> Token:
        text = self.texts[k]
        return Token(kind_of(text), self.starts[k], self.starts[k] + len(text), text)

    def prev(self, k: int) -> int | None:
        k -= 1
        while k >= 0 and is_trivia(self.texts[k]):
            k -= 1
        return k if k >= 0 else None

    def next(self, k: int | None) -> int | None:
        if k is None:
            return None
        k += 1
        while k < len(self.texts) and is_trivia(self.texts[k]):
            k += 1
        return k if k < len(self.texts) else None

    def is_word(self, k: int | None, word: str) -> bool:
        return k is not None and self.texts[k] == word

    def end(self, k: int) -> int:
        return self.starts[k] + len(self.texts[k])

    def ends_string(self, offset: int) -> bool:
        """Whether a string token of this stream ends at `offset`."""
        k = bisect_right(self.starts, offset - 1) - 1
        return k >= 0 and self.end(k) == offset and kind_of(self.texts[k]) is Kind.STRING

    def is_symbol_at(self, offset: int, char: str) -> bool:
        """Whether `char` at `offset` is a token of its own: code, not a comment or literal
        (an odd character never starts a longer token)."""
        k = bisect_right(self.starts, offset) - 1
        return k >= 0 and self.starts[k] == offset and self.texts[k] == char

    def in_attribute(self, k: int) -> bool:
        if self._attributes is None:
            self._attributes = self._attribute_spans()
        i = bisect_right(self._attributes, (k, k)) - 1
        return i >= 0 and self._attributes[i][0] < k < self._attributes[i][1]

    def _attribute_spans(self) -> list[tuple[int, int]]:
        """(opening, closing) bracket indices of each `@[…]` and `attribute […]`, in order."""
        spans: list[tuple[int, int]] = []
        depth = opened = 0  # depth: brackets open inside the current attribute list
        for j in [j for j, t in enumerate(self.texts) if t == "@[" or t == "[" or t == "]"]:
            text = self.texts[j]
            if text == "]":
                if depth == 1:
                    spans.append((opened, j))
                depth = max(0, depth - 1)
            elif depth or text == "@[" or self.is_word(self.prev(j), "attribute"):
                opened = j if depth == 0 else opened
                depth += 1
        if depth:
            spans.append((opened, len(self.texts)))
        return spans

    def _bracket_index(self) -> tuple[list[int], list[int], dict[int, int]]:
        """Bracket indices, the innermost opener after each (-1: none), each closer's
        opener (any closer closes any opener)."""
        if self._brackets is None:
            indices = [j for j, t in enumerate(self.texts) if t in _BRACKETS]
            tops: list[int] = []
            stack: list[int] = []
            matches: dict[int, int] = {}
            for j in indices:
                if self.texts[j] in _CLOSERS:
                    if stack:
                        matches[j] = stack.pop()
                else:
                    stack.append(j)
                tops.append(stack[-1] if stack else -1)
            self._brackets = (indices, tops, matches)
        return self._brackets

    def enclosing(self, k: int) -> int | None:
        """Index of the innermost bracket still open at token `k`."""
        indices, tops, _ = self._bracket_index()
        i = bisect_left(indices, k) - 1
        return tops[i] if i >= 0 and tops[i] >= 0 else None

    def matching(self, closer: int) -> int | None:
        return self._bracket_index()[2].get(closer)

    def segment_head(self, k: int, opener: int) -> int | None:
        """First token of the `,`-separated item holding `k` directly inside the bracket
        at `opener`; None if that is more than `WALK` steps back."""
        for _ in range(WALK):
            p = self.prev(k)
            if p is None or p == opener or self.texts[p] == ",":
                return k
            match = self.matching(p) if self.texts[p] in _CLOSERS else p
            if match is None:
                return None
            k = match
        return None

    def follows_tactic(self, opener: int) -> bool:
        """Whether only bracketed clauses stand between `opener` and an identifier."""
        p = self.prev(opener)
        for _ in range(WALK):
            if p is None or self.texts[p] != ")":
                return p is not None and kind_of(self.texts[p]) is Kind.IDENT
            match = self.matching(p)
            p = None if match is None else self.prev(match)
        return False
