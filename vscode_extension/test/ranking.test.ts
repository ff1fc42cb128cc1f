import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSuggestion, goalTarget, isChecked, rankSuggestions, truncate } from '../src/pure/ranking';
import { suggestion } from './helpers';

describe('rankSuggestions', () => {
    it('orders proves, progress, fails, then by score, stably', () => {
        const input = [
            suggestion('bad', 'fails', 0),
            suggestion('p1', 'progress', -1),
            suggestion('done', 'proves', -3),
            suggestion('p2', 'progress', -0.1),
            suggestion('p3', 'progress', -0.1),
        ];
        assert.deepEqual(
            rankSuggestions(input).map((s) => s.tactic),
            ['done', 'p2', 'p3', 'p1', 'bad'],
        );
    });

    it('does not mutate its input', () => {
        const input = [suggestion('a', 'fails'), suggestion('b', 'proves')];
        rankSuggestions(input);
        assert.deepEqual(
            input.map((s) => s.tactic),
            ['a', 'b'],
        );
    });
});

describe('isChecked', () => {
    it('accepts proves and progress only', () => {
        assert.equal(isChecked(suggestion('a', 'proves')), true);
        assert.equal(isChecked(suggestion('a', 'progress')), true);
        assert.equal(isChecked(suggestion('a', 'fails')), false);
    });
});

describe('goalTarget', () => {
    it('picks the ⊢ line', () => {
        assert.equal(goalTarget('p q : Prop\nh : p\n⊢ p ∨ q'), '⊢ p ∨ q');
        // several goals: the suggestions are for the first one
        assert.equal(goalTarget('case left\nhp : p\n⊢ p\n\ncase right\nhq : q\n⊢ q'), '⊢ p');
    });
    it('falls back to the last line', () => {
        assert.equal(goalTarget('case inl\nfoo'), 'foo');
        assert.equal(goalTarget(''), '');
    });
});

describe('describeSuggestion', () => {
    it('shows icon, score and goals left', () => {
        const view = describeSuggestion(suggestion('constructor', 'progress', -0.123, ['h : p\n⊢ p', '⊢ q']));
        assert.equal(view.label, '$(arrow-right) constructor');
        assert.equal(view.description, 'makes progress · score -0.12');
        assert.equal(view.detail, '2 goals left: ⊢ p   ⊢ q');
    });
    it('shows a closing tactic and a failing one', () => {
        assert.equal(describeSuggestion(suggestion('simp', 'proves')).label, '$(pass-filled) simp');
        assert.equal(describeSuggestion(suggestion('simp', 'proves')).detail, 'no goals left');
        assert.equal(describeSuggestion(suggestion('foo', 'fails')).detail, 'unknown tactic');
    });
    it('marks multi-line tactics and truncates long details', () => {
        assert.equal(describeSuggestion(suggestion('constructor\n· simp', 'proves')).label, '$(pass-filled) constructor …');
        const long = describeSuggestion(suggestion('x', 'progress', 0, ['⊢ ' + 'a'.repeat(500)]));
        assert.equal(long.detail.length, 240);
        assert.ok(long.detail.endsWith('…'));
    });
});

describe('truncate', () => {
    it('keeps short text and cuts long text to the limit', () => {
        assert.equal(truncate('abc', 3), 'abc');
        assert.equal(truncate('abcd', 3), 'ab…');
    });
});
