import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SuggestTacticsResult } from '../src/protocol';
import { escapeHtml, panelBody, panelShell, parsePanelMessage, progressLine } from '../src/pure/panelView';
import { suggestion } from './helpers';

const result: SuggestTacticsResult = {
    version: 4,
    goal: 'p q : Prop\nhp : p\n⊢ p ∧ q',
    suggestions: [
        suggestion('simp', 'failed', -0.2),
        suggestion('constructor', 'advanced', -0.4, ['hp : p\n⊢ p', '⊢ q']),
        suggestion('exact ⟨hp, hq⟩', 'proved', -0.9),
    ],
    summary: '16 sampled: 1 proves the goal, 1 makes progress, 1 rejected by Lean, 13 duplicates',
    counts: { sampled: 16, duplicates: 13, screened: 0, proved: 1, advanced: 1, failed: 1 },
    insert: { range: { start: { line: 1, character: 2 }, end: { line: 1, character: 7 } }, indent: 2, newLine: false },
};

describe('panelBody: suggestions', () => {
    const html = panelBody({ suggest: { kind: 'ready', where: 'Foo.lean:2:3', result } });

    it('shows the goal with its hypotheses and the summary line', () => {
        assert.match(html, /<pre class="goal">p q : Prop\nhp : p\n<b>⊢ p ∧ q<\/b><\/pre>/);
        assert.ok(html.includes(result.summary));
    });
    it('lists proved, then advanced, insertable by their index in the server list', () => {
        const proved = html.indexOf('data-insert="2"');
        const advanced = html.indexOf('data-insert="1"');
        assert.ok(proved > 0 && advanced > proved, html);
        assert.ok(!html.includes('data-insert="0"'), 'a failed suggestion is never insertable');
        assert.match(html, /data-key="1"[^>]*>.*exact ⟨hp, hq⟩/);
        assert.ok(html.includes('2 goals left'));
        assert.ok(html.includes('<pre class="goal"><b>⊢ q</b></pre>'), 'the goals an advanced tactic leaves');
    });
    it('folds the rejected ones with Lean\'s message', () => {
        assert.match(html, /<details id="failed"><summary>Rejected by Lean \(1\)<\/summary>.*<code>simp<\/code><pre class="message">unknown tactic<\/pre>/);
    });
    it('never shows a raw score', () => {
        assert.ok(!html.includes('-0.4') && !html.includes('-0.9') && !html.includes('score'), html);
        assert.ok(html.includes('model confidence 41%'));
    });
    it('says why when the list is empty', () => {
        const empty = panelBody({
            suggest: {
                kind: 'ready',
                where: 'Foo.lean:1:1',
                result: { ...result, goal: null, suggestions: [], summary: 'no proof state here: the cursor is outside a tactic block', insert: null },
            },
        });
        assert.ok(empty.includes('no proof state here: the cursor is outside a tactic block'));
        assert.ok(!empty.includes('<ol'));
    });
    it('escapes everything it shows', () => {
        const evil = panelBody({
            suggest: { kind: 'ready', where: '<b>', result: { ...result, goal: '⊢ a < b', suggestions: [suggestion('exact <img src=x>', 'proved')] } },
        });
        assert.ok(!evil.includes('<img') && !evil.includes('<b>&') && evil.includes('⊢ a &#60; b'));
        assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    });
});

describe('panelBody: proof search', () => {
    it('shows a running search with budget, time, depth, best path and Cancel', () => {
        const html = panelBody({
            suggest: { kind: 'idle', note: 'x' },
            search: {
                kind: 'running',
                where: 'Foo.lean:5:3',
                budget: 600,
                progress: { uri: 'file:///Foo.lean', expansions: 37, budget: 600, elapsedS: 4.21, bestDepth: 3, bestPath: ['intro h', 'cases h'] },
            },
        });
        assert.ok(html.includes('37/600 expansions · 4.2 s · best depth 3'));
        assert.ok(html.includes('<pre class="proof">intro h\ncases h</pre>'));
        assert.ok(html.includes('data-action="cancel"'));
    });
    it('shows a placed proof; a withheld one with its reason and Copy', () => {
        const proved = { proved: true, status: 'proved' as const, message: 'proved', proof: ['constructor', 'exact h.2'] };
        const placed = panelBody({ suggest: { kind: 'idle', note: '' }, search: { kind: 'finished', where: 'w', result: proved, landed: { kind: 'placed', message: 'Proved and verified' } } });
        assert.ok(placed.includes('✓ Proved and verified') && placed.includes('constructor\nexact h.2'));
        assert.ok(!placed.includes('data-action'));
        const withheld = panelBody({
            suggest: { kind: 'idle', note: '' },
            search: { kind: 'finished', where: 'w', result: proved, landed: { kind: 'withheld', message: 'the declaration changed' } },
        });
        assert.ok(withheld.includes('Proof not placed: the declaration changed') && withheld.includes('data-action="copy"'));
    });
    it('says why a search failed and offers 4× budget', () => {
        const html = panelBody({
            suggest: { kind: 'idle', note: '' },
            search: {
                kind: 'finished',
                where: 'w',
                result: { proved: false, status: 'budget', message: 'no proof within 600 expansions', hint: 'try again with 4× budget (2400 expansions)', stats: { expansions: 600, budget: 600, elapsedS: 12, bestDepth: 4 } },
                landed: undefined,
            },
        });
        assert.ok(html.includes('no proof within 600 expansions') && html.includes('2400 expansions'));
        assert.ok(html.includes('data-action="retry"'));
        assert.ok(html.includes('600/600 expansions · 12.0 s · best depth 4'));
    });
});

describe('panel plumbing', () => {
    it('reads only well-formed messages from the page', () => {
        assert.deepEqual(parsePanelMessage({ type: 'insert', index: 2 }), { type: 'insert', index: 2 });
        assert.equal(parsePanelMessage({ type: 'insert', index: -1 }), undefined);
        assert.equal(parsePanelMessage({ type: 'insert', index: '2' }), undefined);
        assert.deepEqual(parsePanelMessage({ type: 'cancel' }), { type: 'cancel' });
        assert.equal(parsePanelMessage({ type: 'eval' }), undefined);
        assert.equal(parsePanelMessage(null), undefined);
    });
    it('formats progress like the server', () => {
        assert.equal(progressLine({ expansions: 1, budget: undefined, elapsedS: 0, bestDepth: 0 }), '1 expansions · 0.0 s · best depth 0');
    });
    it('locks the page down with a nonce CSP', () => {
        const page = panelShell('abc', 'vscode-resource:', '<p>hi</p>');
        assert.match(page, /Content-Security-Policy" content="default-src 'none'; style-src vscode-resource: 'nonce-abc'; script-src 'nonce-abc';"/);
        assert.ok(page.includes('<div id="root"><p>hi</p></div>'));
    });
});
