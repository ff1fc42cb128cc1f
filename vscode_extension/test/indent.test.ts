import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockIndent, indentAfter, indentBlock } from '../src/pure/indent';
import { doc } from './helpers';

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
