import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InlineCache, firstMatching, inlineInsertion, inlineKey, typedPrefix } from '../src/pure/inlineText';
import { blockIndent } from '../src/pure/indent';
import { suggestion } from './helpers';

const ranked = [
    suggestion('exact h', 'proved', -0.1),
    suggestion('intro h', 'advanced', -0.2, ['h : p\n⊢ q']),
    suggestion('intro x y', 'advanced', -0.3, ['⊢ q']),
    suggestion('induction n', 'failed', -0.05),
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
        assert.deepEqual(inlineInsertion('  in', 4, 2, ranked), { start: 2, text: 'intro h', suggestion: ranked[1] });
    });
    it('uses typed indentation on a blank line', () => {
        assert.deepEqual(inlineInsertion('    ', 4, 2, ranked), { start: 4, text: 'exact h', suggestion: ranked[0] });
    });
    it('adds the block indentation when the cursor is at column 0', () => {
        assert.deepEqual(inlineInsertion('', 0, 2, ranked), { start: 0, text: '  exact h', suggestion: ranked[0] });
        assert.deepEqual(inlineInsertion('', 0, 0, ranked), { start: 0, text: 'exact h', suggestion: ranked[0] });
    });
    it('indents the following lines of a multi-line tactic', () => {
        const multi = [suggestion('constructor\n· exact hp\n· exact hq', 'proved')];
        assert.deepEqual(inlineInsertion('    con', 7, 4, multi), {
            start: 4,
            text: 'constructor\n    · exact hp\n    · exact hq',
            suggestion: multi[0],
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

describe('InlineCache', () => {
    it('keys answers by document, version and position', () => {
        const a = inlineKey('file:///a.lean', 3, 1, 2);
        assert.notEqual(a, inlineKey('file:///a.lean', 4, 1, 2));
        assert.notEqual(a, inlineKey('file:///a.lean', 3, 1, 0));
        assert.notEqual(a, inlineKey('file:///b.lean', 3, 1, 2));
        assert.equal(a, inlineKey('file:///a.lean', 3, 1, 2));
    });
    it('never caches an answer without a goal', () => {
        const cache = new InlineCache<string[]>();
        assert.equal(cache.set('k', null, []), false);
        assert.equal(cache.get('k'), undefined);
        assert.equal(cache.set('k', '⊢ p', ['exact h']), true);
        assert.deepEqual(cache.get('k'), ['exact h']);
    });
    it('forgets the least recently used answer beyond its capacity', () => {
        const cache = new InlineCache<number>(2);
        cache.set('a', 'g', 1);
        cache.set('b', 'g', 2);
        cache.get('a');
        cache.set('c', 'g', 3);
        assert.equal(cache.get('b'), undefined);
        assert.equal(cache.get('a'), 1);
        assert.equal(cache.get('c'), 3);
    });
});

describe('ghost text after `:= by` + Enter', () => {
    it('indents the tactic to the block, never column 0', () => {
        const text = 'theorem t (p : Prop) (h : p) : p := by\n';
        const lines = text.split('\n');
        const indent = blockIndent({ lineCount: lines.length, lineAt: (i) => lines[i] ?? '' }, 1);
        assert.equal(indent, 2);
        assert.equal(inlineInsertion('', 0, indent, ranked)?.text, '  exact h');
    });
});
