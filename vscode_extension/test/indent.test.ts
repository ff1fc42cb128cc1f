import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockIndent, indentAfter, indentBlock, planInsertion, sorryAt, sorryFor } from '../src/pure/indent';
import { apply, doc, suggestion } from './helpers';

describe('indentBlock', () => {
    it('indents every line after the first, leaving blank lines empty', () => {
        assert.equal(indentBlock('constructor\n· simp\n\n· rfl', 4), 'constructor\n    · simp\n\n    · rfl');
        assert.equal(indentBlock('simp', 4), 'simp');
    });
});

describe('indentAfter / blockIndent', () => {
    it('opens a block after `by` and `=>`', () => {
        assert.equal(indentAfter('theorem t : p := by'), 2);
        assert.equal(indentAfter('  case inl h =>'), 4);
        assert.equal(indentAfter('  exact (by'), 4);
    });
    it('continues a block at the same column, inside a bullet at its content', () => {
        assert.equal(indentAfter('    intro h'), 4);
        assert.equal(indentAfter('  · simp'), 4);
        assert.equal(indentAfter('  have h : p := byzantine'), 2);
    });
    it('skips blank lines upwards; defaults to 2', () => {
        assert.equal(blockIndent(doc('theorem t : p := by\n  intro h\n\n\n'), 3), 2);
        assert.equal(blockIndent(doc('\n\n'), 1), 2);
    });
});

describe('sorryAt', () => {
    it('finds the sorry token under or next to the cursor', () => {
        assert.deepEqual(sorryAt('  sorry', 2), [2, 7]);
        assert.deepEqual(sorryAt('  sorry', 7), [2, 7]);
        assert.deepEqual(sorryAt('  sorry', 4), [2, 7]);
        assert.equal(sorryAt('  sorry', 1), undefined);
    });
    it('ignores identifiers containing sorry', () => {
        assert.equal(sorryAt('  exact sorryAx _', 10), undefined);
        assert.equal(sorryAt("  exact h.sorry'", 12), undefined);
        assert.deepEqual(sorryAt('  exact ⟨sorry, h⟩', 10), [9, 14]);
    });
});

describe('sorryFor', () => {
    it('closes several goals at once', () => {
        assert.equal(sorryFor(0), 'sorry');
        assert.equal(sorryFor(1), 'sorry');
        assert.equal(sorryFor(3), 'all_goals sorry');
    });
});

describe('planInsertion', () => {
    const proof = 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry';

    it('replaces a sorry with a tactic that proves', () => {
        const plan = planInsertion(doc(proof), 1, 4, suggestion('exact ⟨hp, hq⟩', 'proves'));
        assert.equal(apply(proof, plan), 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  exact ⟨hp, hq⟩');
    });

    it('keeps sorry after a tactic that only makes progress', () => {
        const plan = planInsertion(doc(proof), 1, 2, suggestion('constructor', 'progress', 0, ['⊢ p', '⊢ q']));
        assert.equal(
            apply(proof, plan),
            'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  all_goals sorry',
        );
    });

    it('indents a multi-line tactic at the sorry column', () => {
        const text = 'example : p ∧ q := by\n    sorry';
        const plan = planInsertion(doc(text), 1, 4, suggestion('constructor\n· exact hp\n· exact hq', 'proves'));
        assert.equal(apply(text, plan), 'example : p ∧ q := by\n    constructor\n    · exact hp\n    · exact hq');
    });

    it('replaces an inline `by sorry` in place', () => {
        const text = 'example : p := by sorry';
        assert.equal(apply(text, planInsertion(doc(text), 0, 19, suggestion('exact hp', 'proves'))), 'example : p := by exact hp');
        assert.equal(
            apply(text, planInsertion(doc(text), 0, 19, suggestion('intro h', 'progress', 0, ['⊢ p']))),
            'example : p := by intro h; sorry',
        );
    });

    it('adds `by` for a term-mode sorry', () => {
        const text = 'example : p := sorry';
        assert.equal(apply(text, planInsertion(doc(text), 0, 16, suggestion('exact hp', 'proves'))), 'example : p := by exact hp');
    });

    it('opens an indented block for a multi-line tactic after inline code', () => {
        const text = 'example : p ∧ q := by sorry';
        const plan = planInsertion(doc(text), 0, 24, suggestion('constructor\n· exact hp', 'progress', 0, ['⊢ q']));
        assert.equal(apply(text, plan), 'example : p ∧ q := by\n  constructor\n  · exact hp\n  sorry');
        const term = 'example : p ∧ q := sorry';
        const plan2 = planInsertion(doc(term), 0, 20, suggestion('constructor\n· exact hp\n· exact hq', 'proves'));
        assert.equal(apply(term, plan2), 'example : p ∧ q := by\n  constructor\n  · exact hp\n  · exact hq');
    });

    it('fills a blank line with the indentation of its block', () => {
        const text = 'example : p → p := by\n  intro h\n';
        assert.equal(apply(text, planInsertion(doc(text), 2, 0, suggestion('exact h', 'proves'))), 'example : p → p := by\n  intro h\n  exact h');
        const afterBy = 'example : p → p := by\n';
        assert.equal(apply(afterBy, planInsertion(doc(afterBy), 1, 0, suggestion('intro h', 'progress'))), 'example : p → p := by\n  intro h');
    });

    it('keeps indentation the user already typed on a blank line', () => {
        const text = 'example : p → p := by\n  intro h\n    ';
        assert.equal(apply(text, planInsertion(doc(text), 2, 4, suggestion('exact h', 'proves'))), 'example : p → p := by\n  intro h\n    exact h');
    });

    it('inserts above a tactic when the cursor is before it, below when after it', () => {
        const text = 'example : p → p := by\n  exact id';
        assert.equal(
            apply(text, planInsertion(doc(text), 1, 2, suggestion('intro h', 'progress'))),
            'example : p → p := by\n  intro h\n  exact id',
        );
        assert.equal(
            apply(text, planInsertion(doc(text), 1, 10, suggestion('done', 'proves'))),
            'example : p → p := by\n  exact id\n  done',
        );
        const head = 'example : p → p := by';
        assert.equal(apply(head, planInsertion(doc(head), 0, 21, suggestion('intro h', 'progress'))), 'example : p → p := by\n  intro h');
    });
});
