"""Characters that Lean rejects outside comments and literals, or that make text display
differently from how Lean reads it.

Lean's tokenizer accepts, outside comments, strings, char literals and «quoted» names, only
` `, newline and tab as space (`Char.isWhitespace`), identifier characters
(`isLetterLike`, Latin-1, subscripts), and the characters of its token table. The token
table depends on the imports (Mathlib adds `∑`, `ᶜ`, `𝟙`, `⁻¹`, `Kᗮ`, …), so the characters
found here are those no token plausibly contains: controls, invisible format characters,
spaces other than ` `, private-use and unassigned code points, combining marks, the
fullwidth forms, the replacement characters (U+FFFC, U+FFFD: what is left where a model's
output was cut inside a character's bytes), and the letters of scripts that look like Latin
or run right to left (Cyrillic `а` looks like Latin `a`, but Lean stops at it): Cyrillic,
Armenian, Cherokee, Coptic, Georgian, Latin letters past Latin Extended-A (IPA, small
capitals, …), `µ`, `ª`, `º`, Hebrew, Arabic. Greek, letter-like symbols, mathematical
alphanumerics, modifier letters (`ᵀ`, `ˣ`, `ᵒᵈ`) and other scripts (Canadian syllabics give
Mathlib's `ᗮ`) stay allowed; where Lean rejects one of those, it does so at that character,
where this lexer draws a token boundary too.

Bidirectional controls and NUL are findings anywhere, comments and strings included: the
first reorder what a reader sees (Trojan Source), the second cuts text short in tools that
pass it on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

from prover_core.lean.lexer import IDENTIFIER_CHARACTERS

__all__ = ["OddCharacter", "odd_characters"]


class OddCharacter(NamedTuple):
    offset: int
    construct: str
    reason: str
    anywhere: bool  # a finding inside comments and literals too


_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Code points Lean or Mathlib use outside identifiers, whatever their category.
_ALLOWED = re.compile(f"[{IDENTIFIER_CHARACTERS}\u0370-\u03ff\u1f00-\u1fff\u2100-\u214f]")
_ALLOWED_RANGES = ((0x1D400, 0x1D7FF),)  # mathematical alphanumerics (`𝟙`, `𝔼`)
_FULLWIDTH = (0xFF00, 0xFFEF)
_REPLACEMENT = (0xFFFC, 0xFFFD)
# Letters here are findings unless they are identifier characters (`ⱼ`-like U+2C7C is).
_CONFUSABLE = (
    (0x00AA, 0x00BA),  # ª µ º
    (0x0180, 0x02AF),  # Latin Extended-B, IPA
    (0x0400, 0x058F),  # Cyrillic, Cyrillic Supplement, Armenian
    (0x0590, 0x08FF),  # Hebrew, Arabic, Syriac, Thaana, …: right to left
    (0x10A0, 0x10FF),  # Georgian
    (0x13A0, 0x13FF),  # Cherokee
    (0x1C80, 0x1C8F),  # Cyrillic Extended-C
    (0x1D00, 0x1D2B),  # small capitals
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2C60, 0x2CFF),  # Latin Extended-C, Coptic
    (0x2DE0, 0x2DFF),  # Cyrillic Extended-A
    (0xA640, 0xA69F),  # Cyrillic Extended-B
    (0xA720, 0xA7FF),  # Latin Extended-D
    (0xAB30, 0xABBF),  # Latin Extended-E, Cherokee Supplement
    (0xFB1D, 0xFDFF),  # Hebrew and Arabic presentation forms
    (0xFE70, 0xFEFE),
)


@cache
def _is_odd(c: str) -> bool:
    cp = ord(c)
    category = unicodedata.category(c)
    if c in "\t\n\r " or any(a <= cp <= b for a, b in _ALLOWED_RANGES) or _ALLOWED.match(c):
        return False
    if _FULLWIDTH[0] <= cp <= _FULLWIDTH[1] or category[0] in "CZM":
        return True
    if _REPLACEMENT[0] <= cp <= _REPLACEMENT[1]:
        return True
    return category[0] == "L" and category != "Lm" and any(a <= cp <= b for a, b in _CONFUSABLE)


# A superset of the odd characters: everything but ASCII text, identifier characters and
# the common mathematical blocks, which `_is_odd` then sorts out one distinct character at a time.
_CANDIDATE = re.compile(
    f"[^\t\n\r\x20-\x7e{IDENTIFIER_CHARACTERS}\u0370-\u03ff\u1f00-\u1fff\u2100-\u214f"
    "\u2190-\u22ff\u27e6-\u27ef]"
)


def odd_characters(text: str) -> Iterator[OddCharacter]:
    """Each odd character of `text`, in order; a byte-order mark opening it is none (it
    belongs to the encoding, not to the text)."""
    odd = sorted(c for c in set(_CANDIDATE.findall(text)) if _is_odd(c))
    if odd:
        for m in re.finditer(f"[{re.escape(''.join(odd))}]", text):
            if m.start() or m.group() != "\ufeff":
                yield OddCharacter(m.start(), *_describe(m.group()))


@cache
def _describe(c: str) -> tuple[str, str, bool]:
    """(construct, reason, anywhere) of the odd character `c`."""
    cp = ord(c)
    what = f"U+{cp:04X} {unicodedata.name(c, '')}".rstrip()
    if c == "\x00":
        return ("NUL", f"{what}: tools that pass the text on cut it here", True)
    if _BIDI.match(c):
        reason = f"{what}: reorders what a reader sees (Trojan Source)"
        return ("bidirectional control", reason, True)
    category = unicodedata.category(c)
    rejected = f"{what}: Lean rejects it outside comments and strings"
    if _FULLWIDTH[0] <= cp <= _FULLWIDTH[1]:
        return ("fullwidth character", rejected, False)
    if _REPLACEMENT[0] <= cp <= _REPLACEMENT[1]:
        lost = f"{what}: text lost in decoding; Lean rejects it outside comments and strings"
        return ("replacement character", lost, False)
    if category == "Cc":
        return ("control character", rejected, False)
    if category[0] == "C":
        return ("invisible character", rejected, False)
    if category[0] == "Z":
        return ("non-ASCII space", rejected, False)
    if category[0] == "M":
        return ("combining mark", rejected, False)
    return ("look-alike letter", rejected + " (it looks like, or reorders, Latin text)", False)
