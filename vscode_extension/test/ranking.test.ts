import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confidence, goalTarget, isChecked, outcomeDetail, rankSuggestions, truncate } from '../src/pure/ranking';
import { suggestion } from './helpers';

describe('rankSuggestions', () => {
    it('orders proved, advanced, failed, then by score, stably', () => {
        const input = [
            suggestion('bad', 'failed', 0),
            suggestion('p1', 'advanced', -1),
            suggestion('done', 'proved', -3),
            suggestion('p2', 'advanced', -0.1),
            suggestion('p3', 'advanced', -0.1),
        ];
        assert.deepEqual(
            rankSuggestions(input).map((s) => s.tactic),
            ['done', 'p2', 'p3', 'p1', 'bad'],
        );
    });

    it('does not mutate its input', () => {
        const input = [suggestion('a', 'failed'), suggestion('b', 'proved')];
        rankSuggestions(input);
        assert.deepEqual(
            input.map((s) => s.tactic),
            ['a', 'b'],
        );
    });
});

describe('isChecked', () => {
    it('accepts proved and advanced only', () => {
        assert.equal(isChecked(suggestion('a', 'proved')), true);
        assert.equal(isChecked(suggestion('a', 'advanced')), true);
        assert.equal(isChecked(suggestion('a', 'failed')), false);
    });
});

describe('confidence', () => {
    it('shows exp(score) as a percentage, never the raw log-prob', () => {
        assert.equal(confidence(0), 100);
        assert.equal(confidence(-0.54), 58);
        assert.equal(confidence(-10), 0);
        assert.equal(confidence(0.3), 100);
        assert.equal(confidence(Number.NEGATIVE_INFINITY), 0);
        assert.equal(confidence(Number.NaN), 0);
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

describe('outcomeDetail', () => {
    it('says what each outcome leaves', () => {
        assert.equal(outcomeDetail(suggestion('constructor', 'advanced', -0.1, ['⊢ p', '⊢ q'])), '2 goals left');
        assert.equal(outcomeDetail(suggestion('intro h', 'advanced', -0.1, ['⊢ q'])), '1 goal left');
        assert.equal(outcomeDetail(suggestion('simp', 'proved')), 'no goals left');
        assert.equal(outcomeDetail(suggestion('foo', 'failed')), 'unknown tactic');
    });
});

describe('truncate', () => {
    it('keeps short text and cuts long text to the limit', () => {
        assert.equal(truncate('abc', 3), 'abc');
        assert.equal(truncate('abcd', 3), 'ab…');
    });
});
