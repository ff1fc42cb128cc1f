"""What the screen (`screen.py`) bans, each entry with the reason a finding reports.

LEAN.md ("Soundness") gives the core list. The rest follows one principle: a proof never
needs to extend Lean, and text that extends it can run code, hide a proof gap, or change
how later text elaborates or prints. The verifier compares statements by printing them
(`set_option pp.all true in #check`), so whatever changes printing is banned as well.

Judgment calls:
- every `#`-command (a proof never needs one) except Mathlib's `#s` (`Finset.card`);
- `bv_decide` and `bv_check`, whose LRAT check is trusted compiled code (`ofReduceBool`),
  as `native_decide` is (the verifier's axiom check would reject them later);
- `instance` anywhere (also `attribute [instance]`, `deriving instance`); `stop` (it is
  `repeat sorry`); `attribute` itself (it changes existing declarations: simp sets,
  reducibility, instances, printing);
- syntax, notation and elaborator extension points: `syntax`, `macro`, `notation`, `infix…`,
  `elab_rules`, `declare_syntax_cat`, `binder_predicate`, `declare_simp_like_tactic`,
  `declare_config_elab`; `unif_hint` (it changes unification); option, attribute and
  extension registration (`register_option`, `register_simp_attr`, …: code that runs at
  initialization); simprocs and grind propagators (builtin ones too); `init_quot`;
  `end_local_scope` (local attributes outlive their scope); `docs_to_verso` (doc comments
  become elaborated code);
- attributes registering compiled, parser, elaborator, pretty-printer or server code
  (`@[tactic]`, `@[delab]`, `@[app_unexpander]`, `@[app_delab]`, `@[term_parser]`, any
  `@[builtin_…]`, any `@[…_parser]`, …) or changing how terms elaborate or print
  (`@[default_instance]`, `@[coe]`, `@[pp_nodot]`, `@[unification_hint]`);
- `set_option debug.*` (kernel and elaborator checks), `doc.*` (Verso doc comments are
  elaborated, comments are not screened), `pp.*` and `format.*` (printing, hence the
  statement check), `autoImplicit`/`relaxedAutoImplicit` (unbound names in later
  statements become variables), `allowUnsafeReducibility`; `maxHeartbeats 0`;
- names: anything under `Lean.Elab`, `Lean.Meta`, `Lean.Parser`, `Lean.PrettyPrinter`;
  the metaprogram monads; `IO`; `unsafeX`; names ending in `sorryAx`,
  `reduceBool`/`reduceNat`, `trustCompiler`.

Allowed on purpose: `open … in` and `open scoped` (scoped notation and instances only
change how the proof elaborates, and the kernel checks the result); `add_decl_doc` (a
docstring); `grind_pattern`, `@[simp]`, `@[ext]`, eliminator and reducibility attributes
on new declarations (the kernel still checks every proof); `set_option` of limits,
linters and traces.
"""

from __future__ import annotations

__all__ = [
    "ATTRIBUTES",
    "HEARTBEATS",
    "IO_NAMES",
    "KEYWORDS",
    "LAST_COMPONENT",
    "META_ROOTS",
    "MONADS",
    "OPTIONS",
    "OPTION_ROOTS",
    "attribute_reason",
]


def _by_reason(table: dict[str, str]) -> dict[str, str]:
    """{reason: "word word …"} → {word: reason}."""
    return {word: reason for reason, words in table.items() for word in words.split()}


_PRINTING = "changes how terms print (the statement check compares printed types)"
_EXTENDS = "extends the parser or elaborator"
_REGISTERS = "registers elaborator, compiler or server code"

KEYWORDS = _by_reason(
    {
        "admits the goal without proof": "sorry admit",
        "admits every remaining goal (`repeat sorry`)": "stop",
        "trusts compiled code as proof (Lean.ofReduceBool)": "native_decide bv_decide "
        "bv_decide? bv_check",
        "runs arbitrary metaprogram code": "run_tac run_cmd run_elab run_meta by_elab",
        _EXTENDS: "elab elab_rules macro macro_rules syntax declare_syntax_cat notation "
        "notation3 infix infixl infixr prefix postfix binder_predicate "
        "declare_simp_like_tactic declare_config_elab declare_command_config_elab",
        "adds a unification hint, changing how terms elaborate": "unif_hint",
        "registers a simp or grind metaprogram": "simproc dsimproc simproc_decl dsimproc_decl "
        "builtin_simproc builtin_dsimproc builtin_simproc_decl builtin_dsimproc_decl "
        "builtin_simproc_pattern grind_propagator builtin_grind_propagator",
        "runs code when the module is initialized": "initialize builtin_initialize",
        "registers an option, attribute or extension (code run at initialization)": (
            "register_option register_builtin_option register_simp_attr register_label_attr "
            "register_linter_set register_error_explanation declare_aesop_rule_sets"
        ),
        "changes attributes of existing declarations (how later text elaborates and prints)": (
            "attribute"
        ),
        "declares kernel primitives": "init_quot",
        "elaborates doc comments, which this screen skips": "docs_to_verso",
        "lets local attributes and instances outlive their scope": "end_local_scope",
        "escapes the kernel's checks": "unsafe",
        "defines a function the kernel cannot unfold": "partial",
        "declares a constant whose definition the kernel never sees": "opaque",
        "asserts a statement without proof": "axiom",
        "declares an instance, changing how the statement elaborates": "instance",
    }
)
ATTRIBUTES = _by_reason(
    {
        "binds the definition to native code": "extern",
        "swaps in different code at run time": "implemented_by",
        "rewrites compiled code that native evaluation trusts": "csimp",
        "exports the definition to native code": "export",
        "runs code when the module is initialized": "init",
        _REGISTERS: "tactic term_elab command_elab macro simproc norm_num positivity "
        "command_code_action hole_code_action tactic_code_action server_rpc_method",
        _PRINTING: "delab app_delab app_unexpander formatter parenthesizer combinator_formatter "
        "combinator_parenthesizer coe pp_nodot pp_using_anonymous_constructor",
        "adds a unification hint, changing how terms elaborate": "unification_hint",
        "changes how numerals and operators elaborate": "default_instance",
    }
)


def attribute_reason(name: str) -> str | None:
    """Why the attribute `name` is banned, or None if it is allowed."""
    if name in ATTRIBUTES:
        return ATTRIBUTES[name]
    if name.startswith("builtin_"):
        return _REGISTERS
    if name.endswith("_parser"):
        return _EXTENDS
    return None


IO_NAMES = frozenset(("IO", "EIO", "BaseIO", "unsafeIO", "unsafeBaseIO", "unsafeEIO"))
LAST_COMPONENT: dict[str, tuple[str, str]] = {
    "ofReduceBool": ("ofReduceBool", "trusts compiled code as proof"),
    "ofReduceNat": ("ofReduceBool", "trusts compiled code as proof"),
    "reduceBool": ("ofReduceBool", "makes the kernel run compiled code"),
    "reduceNat": ("ofReduceBool", "makes the kernel run compiled code"),
    "trustCompiler": ("ofReduceBool", "the axiom that trusts the compiler"),
    "sorryAx": ("sorry", "the axiom behind `sorry`"),
}
META_ROOTS = frozenset(("Elab", "Meta", "Parser", "PrettyPrinter"))
MONADS = frozenset(("TacticM", "TermElabM", "MetaM", "CoreM", "CommandElabM", "MacroM"))
HEARTBEATS = frozenset(("maxHeartbeats", "synthInstance.maxHeartbeats"))
# First name component → (construct, reason); then whole option names.
OPTION_ROOTS = {
    "debug": ("set_option debug.*", "disables kernel or elaborator checks"),
    "doc": ("set_option doc.*", "Verso doc comments are elaborated; this screen skips comments"),
    "pp": ("set_option pp.*", _PRINTING),
    "format": ("set_option format.*", _PRINTING),
}
_LATER_STATEMENTS = "unbound names in later statements become variables"
OPTIONS = {
    "autoImplicit": _LATER_STATEMENTS,
    "relaxedAutoImplicit": _LATER_STATEMENTS,
    "allowUnsafeReducibility": "allows changing the reducibility of imported declarations",
}
