import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstMatching, inlineInsertion, typedPrefix } from '../src/pure/inlineText';
import { suggestion } from './helpers';

const ranked = [
    suggestion('exact h', 'proves', -0.1),
    suggestion('intro h', 'progress', -0.2, ['h : p\n⊢ q']),
    suggestion('intro x y', 'progress', -0.3, ['⊢ q']),
    suggestion('induction n', 'fails', -0.05),
];

describe('typedPrefix', () => {
    it('splits indentation from typed text', () => {
        assert.deepEqual(typedPrefix('  int', 5), { indent: 2, typed: 'int' });
        assert.deepEqual(typedPrefix('    ', 4), { indent: 4, typed: '' });
    });
    it('refuses when code follows the cursor, allows trailing blanks', () => {
        assert.equal(typedPrefix('  int foo', 5), undefined);
        assert.deepEqual(typedPrefix('  int   ', 5), { indent: 2, typed: 'int' });
    });
});

describe('firstMatching', () => {
    it('takes the best checked suggestion extending the prefix', () => {
        assert.equal(firstMatching(ranked, '')?.tactic, 'exact h');
        assert.equal(firstMatching(ranked, 'in')?.tactic, 'intro h');
        assert.equal(firstMatching(ranked, 'intro x')?.tactic, 'intro x y');
    });
    it('never offers a failed suggestion or one already fully typed', () => {
        assert.equal(firstMatching(ranked, 'induc'), undefined);
        assert.equal(firstMatching(ranked, 'exact h'), undefined);
        assert.equal(firstMatching(ranked, 'exact h '), undefined);
    });
});

describe('inlineInsertion', () => {
    it('completes what is typed, starting at the indentation', () => {
        assert.deepEqual(inlineInsertion('  in', 4, 2, ranked), { start: 2, text: 'intro h' });
    });
    it('uses typed indentation on a blank line', () => {
        assert.deepEqual(inlineInsertion('    ', 4, 2, ranked), { start: 4, text: 'exact h' });
    });
    it('adds the block indentation when the cursor is at column 0', () => {
        assert.deepEqual(inlineInsertion('', 0, 2, ranked), { start: 0, text: '  exact h' });
        assert.deepEqual(inlineInsertion('', 0, 0, ranked), { start: 0, text: 'exact h' });
    });
    it('indents the following lines of a multi-line tactic', () => {
        const multi = [suggestion('constructor\n· exact hp\n· exact hq', 'proves')];
        assert.deepEqual(inlineInsertion('    con', 7, 4, multi), {
            start: 4,
            text: 'constructor\n    · exact hp\n    · exact hq',
        });
    });
    it('shows nothing when code follows the cursor or nothing matches', () => {
        assert.equal(inlineInsertion('  in tro', 4, 2, ranked), undefined);
        assert.equal(inlineInsertion('  simp', 6, 2, ranked), undefined);
        assert.equal(inlineInsertion('  in', 4, 2, []), undefined);
    });
    it('keeps the typed text as the start of the insertion (VS Code shows only such items)', () => {
        for (const line of ['  e', '  intro', '  intro x', '   ']) {
            const got = inlineInsertion(line, line.length, 2, ranked);
            if (got !== undefined) {
                assert.ok(got.text.startsWith(line.slice(got.start)), `${line} → ${got.text}`);
            }
        }
    });
});
