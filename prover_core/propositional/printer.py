"""Lean's pretty-printing of propositions and goals.

Notation (Lean 4 core): `¬` is `notation:max "¬" p:40`, `∧` is `infixr:35`, `∨` is
`infixr:30`, `→` is right-associative at 25, `↔` is `infix:20` (non-associative). Parentheses
appear exactly where a child's precedence is below what its position requires.

Layout follows Lean's formatter: every term node is `fill (nest 2 …)`, a binary notation is
`lhs ++ " op" ++ line ++ rhs`, parentheses dedent their contents by 2, a hypothesis line is
`group (names ++ " :" ++ nest 2 (line ++ type))`, the target line is `"⊢ " ++ nest 2 type`,
and goals render at width 120 (`format.width`).
"""

from __future__ import annotations

from collections.abc import Mapping

from .formula import AND, IFF, IMP, OR, Bin, Const, Formula, Meta, Not, Var
from .layout import LINE, Cat, Doc, Group, Nest, Text, render

GOAL_WIDTH = 120

_MAX = 1024
# op -> (precedence, required precedence of left child, of right child)
_PREC: dict[str, tuple[int, int, int]] = {
    AND: (35, 36, 35),
    OR: (30, 31, 30),
    IMP: (25, 26, 25),
    IFF: (20, 21, 21),
}
_NOT_ARG = 40


def _prec(f: Formula) -> int:
    return _PREC[f.op][0] if isinstance(f, Bin) else _MAX


def _atom_text(f: Formula, rename: Mapping[str, str] | None) -> str:
    if isinstance(f, Var):
        return rename.get(f.name, f.name) if rename else f.name
    if isinstance(f, Const):
        return "True" if f.value else "False"
    if isinstance(f, Meta):
        return f"?m.{f.id}"
    raise TypeError(f"not a formula: {f!r}")


def show(f: Formula, rename: Mapping[str, str] | None = None) -> str:
    """One-line rendering of a proposition (what Lean prints when it fits)."""
    out: list[str] = []
    _show(f, rename, out)
    return "".join(out)


def _show(f: Formula, rename: Mapping[str, str] | None, out: list[str]) -> None:
    if isinstance(f, Not):
        out.append("¬")
        _show_child(f.arg, _NOT_ARG, rename, out)
    elif isinstance(f, Bin):
        _, lp, rp = _PREC[f.op]
        _show_child(f.left, lp, rename, out)
        out.append(f" {f.op} ")
        _show_child(f.right, rp, rename, out)
    else:
        out.append(_atom_text(f, rename))


def _show_child(f: Formula, need: int, rename: Mapping[str, str] | None, out: list[str]) -> None:
    if _prec(f) < need:
        out.append("(")
        _show(f, rename, out)
        out.append(")")
    else:
        _show(f, rename, out)


def _node(core: Doc) -> Doc:
    return Group(Nest(2, core), fill=True)


def _doc(f: Formula, rename: Mapping[str, str] | None) -> Doc:
    if isinstance(f, Not):
        return _node(Cat((Text("¬"), _child_doc(f.arg, _NOT_ARG, rename))))
    if isinstance(f, Bin):
        _, lp, rp = _PREC[f.op]
        left = _child_doc(f.left, lp, rename)
        right = _child_doc(f.right, rp, rename)
        return _node(Cat((left, Text(" " + f.op), LINE, right)))
    return _node(Text(_atom_text(f, rename)))


def _child_doc(f: Formula, need: int, rename: Mapping[str, str] | None) -> Doc:
    inner = _doc(f, rename)
    if _prec(f) < need:
        return _node(Cat((Text("("), Nest(-2, inner), Text(")"))))
    return inner


def formula_doc(f: Formula, rename: Mapping[str, str] | None = None) -> Doc:
    """The document `ppExpr` produces for a proposition (root wrapped in two fill groups)."""
    return Group(_doc(f, rename), fill=True)


def hyp_line(names: list[str], type_text: str | Formula, rename: Mapping[str, str] | None) -> str:
    """`h₁ h₂ : T`, wrapped as Lean wraps a hypothesis line."""
    head = " ".join(names) + " :"
    if isinstance(type_text, str):
        return f"{head} {type_text}"
    flat_line = f"{head} {show(type_text, rename)}"
    if len(flat_line) <= GOAL_WIDTH:
        return flat_line
    doc = Group(Cat((Text(head), Nest(2, Cat((LINE, formula_doc(type_text, rename)))))))
    return render(doc, GOAL_WIDTH)


def target_line(f: Formula, rename: Mapping[str, str] | None) -> str:
    flat_line = "⊢ " + show(f, rename)
    if len(flat_line) <= GOAL_WIDTH:
        return flat_line
    return render(Cat((Text("⊢ "), Nest(2, formula_doc(f, rename)))), GOAL_WIDTH)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def inaccessible(stem: str, idx: int) -> str:
    """Lean's display of an inaccessible name: `h✝`, then `h✝¹`, `h✝²`, … for older ones."""
    return stem + "✝" + (str(idx).translate(_SUPERSCRIPT) if idx else "")
