"""The proof-text screen: banned constructs found as Lean lexes them, nothing else.

Every table case runs twice: through the fast path (`tile`) and with it disabled, so the
precise lexer alone must give the same findings.
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from prover_core.lean import screen as screen_module
from prover_core.lean.banned import ATTRIBUTES, KEYWORDS, OPTION_ROOTS, OPTIONS
from prover_core.lean.lexer import is_trivia, lex, read_interpolated, tile
from prover_core.lean.screen import Finding, format_finding, is_clean, main, screen, screen_file
from tests.support import transcripts

CLEAN = [
    # comments
    "simp -- sorry would be wrong here",
    "-- sorry\nsimp",
    "/- sorry -/ simp",
    "/- outer /- inner sorry -/ still a comment: admit -/ simp",
    "/-- doc comment: native_decide -/\ntheorem t : True := trivial",
    "/-! module doc with #eval -/\nexample : True := trivial",
    "/-/ skipped slash, then sorry -/ simp",
    "/-- doc /- nested admit -/ still doc -/ theorem t : True := trivial",
    "simp [h]-- glued after a closing bracket",
    "/- «unbalanced quote in a comment -/ rfl",
    # strings and chars
    'exact "sorry"',
    'exact "a \\" sorry"',
    'exact "-- not a comment" ++ "/- nor this"',
    'exact "back\\\\" -- the string ended before this comment: sorry',
    'exact "\\x41\\u00e9\\t\\n"',
    'exact "gap \\\n    continues" ',
    "exact 'a'",
    "exact '\\n'",
    "exact '\\''",
    "exact '\"'",
    'exact "{x} is only a brace here"',
    's!"no holes here"',
    'throwError "bad {e}"',
    # primes, quoted, dotted and longer names
    "intro h'; exact h'",
    "exact x''",
    "exact «sorry»",
    "exact Nat.sorry_lemma",
    "exact foo.sorry",
    "exact h.admit",
    "exact sorry_free my_axiom partial_sum IOList",
    "exact?",
    "exact sorry?",
    "apply Foo.«instance»",
    "exact `sorry",
    # harmless options, opens, Mathlib notation
    "open Nat in simp",
    "set_option maxRecDepth 1000 in simp",
    "set_option maxHeartbeats 400000 in nlinarith [sq_nonneg (a - b)]",
    "aesop (add unsafe apply h)",
    "aesop (add safe h, unsafe 50% apply g)",
    "@[aesop unsafe 50% apply] theorem foo : P := h",
    "rw [tsum_eq] ; exact ∑' n, f n",
    "exact hf.preimage (f ⁻¹' s)",
    "rw [Finset.card_eq] at h; exact #s",
    "exact #[1, 2]",
    "decide",
    "decide +kernel",
    "decide (native := false)",
    "norm_num [Nat.factorial]",
    "@[simp] theorem foo : 1 = 1 := rfl",
    "exact h.1.2",
    "norm_num [show (2.5 : ℝ) = 5 / 2 by norm_num, 1_000, 0xff, 1e-3]",
    "exact ⟨fun x hx => by linarith [hx.1], by omega⟩",
    "theorem amc12a_2019_p21 (h₀ : z = (1 + Complex.I) / Real.sqrt 2) : z ^ 2 = Complex.I := by\n"
    "  /- square both sides -/\n  rw [h₀, div_pow]\n  norm_num",
]

# (text, every construct expected, in order)
FLAGGED = [
    ("sorry", ["sorry"]),
    ("theorem t : 1 = 1 := by\n  · sorry", ["sorry"]),
    ("exact 2sorry", ["sorry"]),
    ("admit", ["admit"]),
    ("constructor\n  stop\n  simp", ["stop"]),
    ("exact sorryAx _ false", ["sorry"]),
    ("exact (by native_decide : 2 + 2 = 4)", ["native_decide"]),
    ("simp; decide +native", ["decide +native"]),
    ("decide (config := {native := true})", ["decide +native"]),
    ("decide (native := true)", ["decide +native"]),
    ("decide +«native»", ["decide +native"]),
    ("exact Lean.ofReduceBool _ _ h", ["ofReduceBool"]),
    ("exact ofReduceNat a b h", ["ofReduceBool"]),
    ("exact Lean.reduceBool c", ["ofReduceBool"]),
    ("run_tac do pure ()", ["run_tac"]),
    ("run_cmd pure ()", ["run_cmd"]),
    ("run_elab pure ()", ["run_elab"]),
    ("run_meta pure ()", ["run_meta"]),
    ("#eval 1", ["#eval"]),
    ("#evalfoo", ["#eval"]),
    ("#exit", ["#exit"]),
    ("#check Nat", ["#check"]),
    ("#print axioms foo", ["#print"]),
    ("#reduce 2 + 2", ["#reduce"]),
    ("exact #sorry", ["#sorry"]),  # `#` then `sorry` under Mathlib's card notation
    ('elab "foo" : tactic => pure ()', ["elab"]),
    ('macro "foo" : tactic => `(tactic| rfl)', ["macro"]),
    ('syntax "foo" : tactic', ["syntax"]),
    ("macro_rules | `(foo) => `(rfl)", ["macro_rules"]),
    ('notation "𝔽" => Nat', ["notation"]),
    ('infixl:65 " +++ " => HAppend.hAppend', ["infixl"]),
    ('infix " ~ " => f', ["infix"]),
    ('infixr " ^^ " => f', ["infixr"]),
    ('prefix:max "√" => Real.sqrt', ["prefix"]),
    ('postfix:max "!" => Nat.factorial', ["postfix"]),
    ("initialize registerFoo", ["initialize"]),
    ("builtin_initialize registerFoo", ["builtin_initialize"]),
    ('@[extern "c_fn"] def f : Nat := 0', ["@[extern]"]),
    ("@[implemented_by foo] def bar : Nat := 1", ["@[implemented_by]"]),
    ("@[«implemented_by» foo] def bar : Nat := 1", ["@[implemented_by]"]),
    ("@[simp, csimp] theorem x : f = g := rfl", ["@[csimp]"]),
    ("attribute [csimp] foo", ["attribute", "@[csimp]"]),
    ("unsafe def f : Nat := 1", ["unsafe"]),
    ("partial def f : Nat → Nat := f", ["partial"]),
    ("opaque foo : Nat", ["opaque"]),
    ("axiom cheat : False", ["axiom"]),
    ("local instance : Inhabited Nat := ⟨0⟩", ["instance"]),
    ("scoped instance foo : Bar := ⟨⟩", ["instance"]),
    ("attribute [local instance] Classical.propDecidable", ["attribute", "instance"]),
    ("set_option debug.skipKernelTC true in\nexample : False := h", ["set_option debug.*"]),
    ("set_option debug.byAsSorry true", ["set_option debug.*"]),
    ("set_option doc.verso true in", ["set_option doc.*"]),
    ("set_option maxHeartbeats 0 in\nnlinarith", ["set_option maxHeartbeats 0"]),
    (
        "set_option synthInstance.maxHeartbeats 0 in simp",
        ["set_option synthInstance.maxHeartbeats 0"],
    ),
    ('exact IO.println "hi"', ["IO"]),
    ("exact (unsafeBaseIO act)", ["IO"]),
    ("exact _root_.EIO.toIO f", ["IO"]),
    ("exact unsafeCast x", ["unsafe"]),
    ("exact Lean.Elab.Tactic.evalTactic stx", ["Lean.Elab"]),
    ("exact Lean.Meta.whnf e", ["Lean.Meta"]),
    ("def t : TacticM Unit := pure ()", ["TacticM"]),
    ('exact s!"{sorry}"', ["sorry"]),
    ("exact xésorry", ["sorry"]),  # older toolchains split the identifier at `é`
    # lexical problems
    ("simp /- never closed", ["unterminated comment"]),
    ("/- outer /- inner -/ still open", ["unterminated comment"]),
    ('exact "never closed', ["unterminated string"]),
    ('exact "bad \\q escape"', ["invalid escape"]),
    ("exact «never closed", ["unterminated quoted name"]),
    ("exact 'ab'", ["malformed char literal"]),
    ("exact 1_", ["malformed numeral"]),
    ("exact 2e", ["malformed numeral"]),
    ("exact a <--b", ["ambiguous comment"]),
    ("/-/- -/ #eval x -- -/", ["#eval"]),  # `/-/` skips its third char: one level only
    ('exact r#"a"b"#', ["ambiguous raw string"]),
]


# (rule, text it flags, constructs expected, near-miss text it must pass)
RULES = [
    # syntax, notation, pretty-printer and unification extension points
    ("delab", "@[delab app.f] def d := 1", ["@[delab]"], "exact my_delab delab_x h.delab"),
    (
        "app_unexpander",
        "@[app_unexpander f] def u := 1",
        ["@[app_unexpander]"],
        "exact app_unexpander",
    ),
    ("app_delab", "@[app_delab f] def d := 1", ["@[app_delab]"], "@[simp] theorem app_delab : p"),
    ("scoped delab", "@[scoped delab app.f] def d := 1", ["@[delab]"], "open scoped Foo in simp"),
    (
        "builtin attribute",
        "@[builtin_delab app.f] def d := 1",
        ["@[builtin_delab]"],
        "exact builtin_x",
    ),
    ("parser attribute", "@[term_parser] def p := 1", ["@[term_parser]"], "exact term_parser"),
    (
        "printing attribute",
        "@[pp_nodot] def f := 1",
        ["@[pp_nodot]"],
        "@[simp, ext] def pp_nodot := 1",
    ),
    ("coe attribute", "@[coe] def f := 1", ["@[coe]"], "exact coe (↑x : ℤ)"),
    (
        "default_instance",
        "@[default_instance] def i := 1",
        ["@[default_instance]"],
        "exact default",
    ),
    ("unification_hint", "@[unification_hint] def h := 1", ["@[unification_hint]"], "rfl"),
    ("code action", "@[command_code_action] def a := 1", ["@[command_code_action]"], "rfl"),
    ("tactic attribute", "@[tactic foo] def t := 1", ["@[tactic]"], "exact tactic"),
    (
        "binder_predicate",
        'binder_predicate x " > " y:term => `($x > $y)',
        ["binder_predicate"],
        "exact binder_predicate_x",
    ),
    ("unif_hint", "unif_hint (n : Nat) where n =?= 0 ⊢ n + 0 =?= 0", ["unif_hint"], "exact unif"),
    ("register_option", "register_option foo : Bool := {}", ["register_option"], "exact register"),
    (
        "register_simp_attr",
        "register_simp_attr my_simps",
        ["register_simp_attr"],
        "simp [my_simps]",
    ),
    ("declare_syntax_cat", "declare_syntax_cat foo", ["declare_syntax_cat"], "exact syntax_cat"),
    (
        "declare_simp_like_tactic",
        "declare_simp_like_tactic mySimp",
        ["declare_simp_like_tactic"],
        "simp only [declare_x]",
    ),
    ("syntax", 'syntax "foo" : tactic', ["syntax"], "exact Syntax.missing"),
    ("macro", 'macro "foo" : tactic => `(tactic| rfl)', ["macro"], "exact macro_x"),
    ("local notation", 'local notation "𝔽" => Nat', ["notation"], "exact notation_x"),
    ("infixl", 'infixl:65 " +++ " => f', ["infixl"], "exact a +++ b"),
    (
        "elab_rules",
        "elab_rules : tactic | `(tactic| foo) => pure ()",
        ["elab_rules"],
        "exact elab_x",
    ),
    ("attribute command", "attribute [simp] foo", ["attribute"], "@[simp] theorem t : p := h"),
    (
        "set_option pp",
        "set_option pp.all true in\n  rfl",
        ["set_option pp.*"],
        "set_option maxRecDepth 100 in rfl",
    ),
    (
        "set_option format",
        "set_option format.width 20 in rfl",
        ["set_option format.*"],
        "set_option trace.Meta.Tactic.simp true in simp",
    ),
    (
        "set_option autoImplicit",
        "set_option autoImplicit true",
        ["set_option autoImplicit"],
        "set_option linter.unusedVariables false in simp",
    ),
    (
        "PrettyPrinter API",
        "exact Lean.PrettyPrinter.ppExpr e",
        ["Lean.PrettyPrinter"],
        "exact PrettyPrinter.x",
    ),
    ("init_quot", "init_quot", ["init_quot"], "exact Quot.sound h"),
    # the Aesop exemption, decided by clause context
    (
        "unsafe after aesop",
        "by aesop\nunsafe def f : Nat := 1",
        ["unsafe"],
        "aesop (add unsafe 50% apply foo)",
    ),
    (
        "unsafe nested in a clause",
        "aesop (add safe (unsafe h))",
        ["unsafe"],
        "aesop (config := {}) (add safe h, unsafe 50% apply g)",
    ),
    ("unsafe outside add", "aesop (erase unsafe h)", ["unsafe"], "aesop (add 50% unsafe apply g)"),
    ("clause without a tactic", "(add unsafe h)", ["unsafe"], "aesop_cat (add unsafe h)"),
    (
        "unsafe after an attribute",
        "@[simp] unsafe def x := 1",
        ["unsafe"],
        "@[aesop unsafe 50% apply] theorem foo : P := h",
    ),
    (
        "unsafe after aesop attribute",
        "@[aesop] unsafe def x := 1",
        ["unsafe"],
        "@[simp, local aesop 10% unsafe] theorem foo : P := h",
    ),
    ("unsafe term", "exact unsafe (f x)", ["unsafe"], '-- unsafe\nsimp ["unsafe"]'),
    (
        "unsafe after a rule",
        "aesop (add unsafe h) <;> unsafe",
        ["unsafe"],
        "finiteness (add safe h, unsafe apply (rule_sets := [X]) g)",
    ),
    # holes of interpolated strings, wherever they occur
    ("s! hole", 's!"{sorry}"', ["sorry"], 's!"{x} is fine"'),
    ("m! hole", 'm!"{f (run_tac pure ())}"', ["run_tac"], 'm!"sorry, {x}"'),
    ("f! hole", 'f!"{#eval 1}"', ["#eval"], 'f!"#eval {x}"'),
    ("trace hole", 'trace[debug] "{admit}"', ["admit"], 'trace[debug] "{x} admit"'),
    ("throwError hole", 'throwError "{native_decide}"', ["native_decide"], 'throwError "e: {e}"'),
    ("custom syntax hole", 'sql! "{IO.println 1}"', ["IO"], 'sql! "{IO_x}"'),
    ("nested hole", 's!"{s!"{sorry}"}"', ["sorry"], 's!"{s!"{x}"} sorry"'),
    ("hole with a string", 's!"{sorry ++ "x"}"', ["sorry"], 's!"{"a" ++ x}"'),
    ("braces in a hole", 's!"{ {a := sorry} }"', ["sorry"], 's!"{ {a := 1} } \\{sorry}"'),
    ("brace escape", 'exact "\\{"', ["invalid escape"], 'trace[c] "\\{{x}" ++ s!"\\{"'),
    (
        "ambiguous string",
        'trace[c] "{x /- " -/ }" ; sorry -- "',
        ["ambiguous string"],
        'exact "{" ++ "}"',
    ),
    ("too deep", 's!"{' * 9 + "x" + '}"' * 9, ["interpolated string"], 's!"{' * 8 + "x" + '}"' * 8),
    # characters Lean rejects lexically
    ("Cyrillic look-alike", "exact fоо", ["look-alike letter"], "exact fαβ γ₁ Λ' x"),
    ("micro sign", "exact µ", ["look-alike letter"], "exact μ"),
    ("zero-width", "exact a\u200bb", ["invisible character"], "-- a\u200bb\nexact h"),
    ("BOM inside", "simp\ufeff", ["invisible character"], '\ufeffexact "\ufeff"'),
    ("NUL", "exact h -- \x00", ["NUL"], "exact '\\x00'"),
    ("control", "simp\x0b", ["control character"], "simp\t-- a tab is whitespace\r\n  rfl"),
    ("bidi in a comment", "-- \u202e comment", ["bidirectional control"], "-- ordinary comment"),
    ("bidi in a string", 'exact "\u2067"', ["bidirectional control"], 'exact "fоо"'),
    ("fullwidth", "exact ｆｏｏ", ["fullwidth character"], 'exact "ｆｏｏ" -- ｆｏｏ'),
    ("non-ASCII space", "exact\u00a0h", ["non-ASCII space"], "exact\th"),
    ("combining mark", "exact x\u0301", ["combining mark"], "exact é ą"),
    ("decoding debris", "\ufffd h1", ["replacement character"], '-- \ufffd\nexact "\ufffc"'),
    (
        "Mathlib symbols",
        "exact Ш",
        ["look-alike letter"],
        "exact 𝟙 ≫ f ∘ sᶜ ᵀ Mˣ ∑ᶠ x, f x ⁻¹ ℝ≥0∞ ‹h› 𝔼[X] ℵ₀ «fоо» Kᗮ Aᴴ",
    ),
    ("IPA look-alike", "exact ɑ", ["look-alike letter"], "exact α"),
    ("right-to-left letter", "exact ש", ["look-alike letter"], "exact ℶ ℵ"),
]


@pytest.fixture(params=["fast", "precise"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "precise":
        monkeypatch.setattr(screen_module, "tile", lambda text: None)
    return str(request.param)


@pytest.mark.parametrize("text", CLEAN)
def test_clean(text: str, path: str) -> None:
    assert screen(text) == ()
    assert is_clean(text)


@pytest.mark.parametrize(("text", "constructs"), FLAGGED)
def test_flagged(text: str, constructs: list[str], path: str) -> None:
    assert [f.construct for f in screen(text)] == constructs
    assert not is_clean(text)


@pytest.mark.parametrize(("rule", "bad", "constructs", "good"), RULES, ids=[r[0] for r in RULES])
def test_rule(rule: str, bad: str, constructs: list[str], good: str, path: str) -> None:
    assert [f.construct for f in screen(bad)] == constructs
    assert screen(good) == ()


@pytest.mark.parametrize("word", sorted(KEYWORDS))
def test_every_keyword(word: str, path: str) -> None:
    assert [f.construct for f in screen(f"{word} x")] == [word]
    assert screen(f"exact h.{word} {word}_x «{word}» -- {word}\n/- {word} -/") == ()


@pytest.mark.parametrize("name", sorted({*ATTRIBUTES, "builtin_macro", "level_parser"}))
def test_every_attribute(name: str, path: str) -> None:
    found = [f.construct for f in screen(f"@[simp, {name} x] def f := 1")]
    assert found == sorted([f"@[{name}]", *([name] if name in KEYWORDS else [])])
    assert f"@[{name}]" in {f.construct for f in screen(f"attribute [{name}] f")}
    assert screen(f"@[simp] def {name}_x := 1") == ()


@pytest.mark.parametrize("option", [f"{root}.x" for root in OPTION_ROOTS] + sorted(OPTIONS))
def test_every_option(option: str, path: str) -> None:
    (f,) = screen(f"set_option {option} true in\n  simp")
    assert f.construct.startswith("set_option ")
    assert screen(f"exact {option}") == ()


@pytest.mark.parametrize(
    ("text", "holes", "end"),
    [
        ('"a{x}b" tail', ["x"], 7),
        ('"{sorry ++ "x"}"', ['sorry ++ "x"'], 16),
        ('"{ {a := 1} } \\{no hole} {b}"', [" {a := 1} ", "b"], 29),
        ('"{s!"{y}"} z"', ['s!"{y}"'], 13),
        ('"{x -- }"\n}"', ['x -- }"\n'], 12),
        ('"{x /- } -/ }"', ["x /- } -/ "], 14),
        ("\"{'}'}\"", ["'}'"], 7),
        ('"{"', ['"'], None),  # the hole never closes: Lean's reading fails
        ('"bad \\q {x}"', [], None),
    ],
)
def test_read_interpolated(text: str, holes: list[str], end: int | None) -> None:
    reading = read_interpolated(text, 0, len(text))
    assert [text[s:e] for s, e in reading.holes] == holes
    assert (reading.end, reading.cut) == (end, False)
    assert read_interpolated(text, 0, 2).cut  # stopped short of its end: says so


def test_interpolation_budget_is_a_finding_and_linear() -> None:
    junk = '"a{' * 20_000
    assert "interpolated string" in {f.construct for f in screen(junk)}
    assert [f.construct for f in screen('exact "{"\n' + "simp\n" * 20_000)] == []


def test_odd_characters_join_into_runs() -> None:
    (f,) = screen("exact " + "а" * 50)  # Cyrillic
    assert (f.construct, f.column, f.end_column) == ("look-alike letter", 6, 56)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("theorem t (h₁ : α) : β := by\n  exact sorry", ("sorry", 2, 8, 2, 13)),
        ("-- x\n  exact (by native_decide : P)", ("native_decide", 2, 12, 2, 25)),
        ("example : h₁ = h₂ := by exact sorry", ("sorry", 1, 30, 1, 35)),  # codepoints
        (
            "simp\r\n  set_option debug.skipKernelTC true in\r\n  rfl",
            ("set_option debug.*", 2, 2, 2, 31),
        ),
        ('simp\n  exact "open\n  more', ("unterminated string", 2, 8, 3, 6)),
        ("simp\n  /- a\n /- b -/", ("unterminated comment", 2, 2, 3, 8)),
    ],
)
def test_positions_are_lean_positions(text: str, expected: tuple[object, ...]) -> None:
    (f,) = screen(text)
    assert (f.construct, f.line, f.column, f.end_line, f.end_column) == expected


def test_screen_file_matches_screen(tmp_path: Path) -> None:
    proof = tmp_path / "crlf.lean"
    proof.write_bytes(b"theorem t : True := by\r\n  sorry\r\n")
    assert screen_file(proof) == screen("theorem t : True := by\n  sorry\n")


def test_format_finding() -> None:
    f = Finding(3, 4, 3, 9, "sorry", "admits the goal without proof")
    assert format_finding("P.lean", f) == "P.lean:3:4: sorry — admits the goal without proof"


# ---------------------------------------------------------------- properties

_FRAGMENTS = [
    "sorry", "admit", "simp", "exact", "h'", "x₁", "Nat.succ", "«a b»", "IO", "native", "+",
    ":=", "set_option", "debug", "maxHeartbeats", "0", "1", "2.5", "0x1f", "_", "(", ")", "[",
    "]", "@[", "{", "}", "⟨", "⟩", ",", ";", "'", "'a'", '"', '"s"', "\\", "--", "/-", "-/",
    "/--", "#", "#eval", "`", "r#", "∑'", "⁻¹'", "é", "«", "»", " ", "\u00a0", "\n", "\t", "-", "/",
]  # fmt: skip
lean_text = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join)
clean_lean_text = st.lists(
    st.sampled_from(["simp", "h'", "exact h", "(", ")", " ", "\n", "'a'", '"-- s"', "-- c\n"]),
    max_size=30,
).map("".join)


@given(lean_text)
@settings(max_examples=400)
def test_never_crashes_and_positions_are_sane(text: str) -> None:
    lines = text.replace("\r\n", "\n").split("\n")
    for f in screen(text):
        assert 1 <= f.line <= f.end_line <= len(lines)
        assert 0 <= f.column <= len(lines[f.line - 1])
        assert 0 <= f.end_column <= len(lines[f.end_line - 1])


@given(st.one_of(lean_text, clean_lean_text))
@settings(max_examples=400)
def test_comments_keep_clean_text_clean_and_a_new_line_is_screened(text: str) -> None:
    if not is_clean(text):
        return
    assert is_clean(text + "\n-- sorry")
    assert is_clean("/- sorry -/\n" + text)
    last = screen(text + "\nsorry")
    assert [(f.construct, f.line) for f in last] == [("sorry", text.count("\n") + 2)]


@given(lean_text)
@settings(max_examples=400)
def test_fast_path_agrees_with_precise_lexer(text: str) -> None:
    texts = tile(text)
    tokens, problems = lex(text)
    if texts is not None:
        assert "".join(texts) == text
        offsets = [0]
        for t in texts:
            offsets.append(offsets[-1] + len(t))
        significant = [(t, o) for t, o in zip(texts, offsets, strict=False) if not is_trivia(t)]
        assert significant == [(t.text, t.start) for t in tokens]
        assert problems == []


@given(lean_text)
@settings(max_examples=300)
def test_findings_do_not_depend_on_the_fast_path(text: str) -> None:
    fast = screen(text)
    with patch.object(screen_module, "tile", lambda _: None):
        assert screen(text) == fast


_LEXICAL = {  # lexer problems and odd characters: dropped inside holes
    "unterminated comment", "unterminated string", "invalid escape", "unterminated quoted name",
    "malformed char literal", "malformed numeral", "ambiguous comment", "ambiguous raw string",
    "NUL", "bidirectional control", "control character", "invisible character",
    "non-ASCII space", "fullwidth character", "combining mark", "look-alike letter",
    "replacement character",
}  # fmt: skip


@given(lean_text)
@settings(max_examples=400)
def test_a_hole_is_screened_like_code(text: str) -> None:
    assume(not set(text) & set('"{}\\«»'))
    inner = {f.construct for f in screen(text)} - _LEXICAL
    assert inner <= {f.construct for f in screen('s!"{' + text + '}"')}
    assert inner <= {f.construct for f in screen('trace[c] "a{ {b} }{' + text + '}c"')}


# ---------------------------------------------------------------- real Lean text

_SORRY_WORD = re.compile(r"(?<![\w.'«])sorry(?![\w'!?»])")


def _fixture_texts() -> list[str]:
    directory = transcripts.fixtures_dir()
    texts = []
    for base in transcripts.all_bases(directory) if directory.is_dir() else []:
        for chunk in transcripts.split_chunks(base.with_suffix(".in").read_text()):
            request = transcripts.parse_request(chunk)
            texts += [request[k] for k in ("cmd", "tactic") if isinstance(request.get(k), str)]
    return texts


def test_real_repl_inputs_flag_exactly_their_sorries() -> None:
    texts = _fixture_texts()
    if not texts:
        pytest.skip("no REPL transcripts (set LEANSTEP_REPL_FIXTURES)")
    for text in texts:
        found = {f.construct for f in screen(text)}
        assert ("sorry" in found) == bool(_SORRY_WORD.search(text)), text
    assert any(f.construct == "#check" for t in texts for f in screen(t))


# ---------------------------------------------------------------- CLI entry point


def test_main_clean_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proof = tmp_path / "ok.lean"
    proof.write_text("theorem t : True := by\n  trivial -- no sorry here\n", encoding="utf-8")
    assert main([str(proof)]) == 0
    assert capsys.readouterr().out == ""


def test_main_reports_each_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proof = tmp_path / "bad.lean"
    proof.write_text("theorem t : True := by\n  sorry\n  native_decide\n", encoding="utf-8")
    assert main([str(proof)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{proof}:2:2: sorry — admits the goal without proof",
        f"{proof}:3:2: native_decide — trusts compiled code as proof (Lean.ofReduceBool)",
    ]


def test_main_unreadable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.lean")]) == 2
    assert main([str(tmp_path)]) == 2  # a directory
    binary = tmp_path / "latin1.lean"
    binary.write_bytes(b"theorem caf\xe9 : True := trivial")
    assert main([str(binary)]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(UnicodeDecodeError):
        screen_file(binary)


def test_main_usage() -> None:
    assert main([]) == 2
    assert main(["a.lean", "b.lean"]) == 2
