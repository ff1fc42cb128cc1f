/**
 * The leanstep panel as HTML (pure, so it is unit-tested): the goal and hypotheses at the cursor,
 * the checked suggestions (proved, then advanced, with the goals they leave; the ones Lean
 * rejected folded, with Lean's message), the summary line, and the proof search (running: its
 * progress and best path, with Cancel; finished: the proof, or why it failed, with a retry).
 *
 * Invariants: every text from the server or the document is HTML-escaped; a raw score is never
 * shown (a confidence bar, exp(score)); only checked suggestions carry `data-insert` (their index
 * in the server's list); actions are `data-action` buttons the panel's script posts back.
 */

import type { SearchProgressParams, SearchProofResult, SuggestTacticsResult, TacticSuggestion } from '../protocol';
import type { Landed } from './landing';
import { OUTCOME_WORD, confidence, isChecked, outcomeDetail, rankSuggestions } from './ranking';

export type SuggestView =
    | { kind: 'idle'; note: string }
    | { kind: 'loading'; where: string }
    | { kind: 'ready'; where: string; result: SuggestTacticsResult; note?: string }
    | { kind: 'error'; where: string; message: string };

export type SearchView =
    | { kind: 'running'; where: string; budget: number | undefined; progress: SearchProgressParams | undefined }
    | { kind: 'finished'; where: string; result: SearchProofResult; landed: Landed | undefined };

export interface PanelModel {
    suggest: SuggestView;
    search?: SearchView;
}

/** Messages the panel's script posts. */
export type PanelMessage = { type: 'insert'; index: number } | { type: 'cancel' } | { type: 'retry' } | { type: 'copy' } | { type: 'ready' };

export function parsePanelMessage(value: unknown): PanelMessage | undefined {
    if (typeof value !== 'object' || value === null || !('type' in value)) {
        return undefined;
    }
    const type = value.type;
    if (type === 'insert') {
        const index = 'index' in value ? value.index : undefined;
        return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? { type, index } : undefined;
    }
    return type === 'cancel' || type === 'retry' || type === 'copy' || type === 'ready' ? { type } : undefined;
}

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "37/600 expansions · 4.2 s · best depth 3" (the wording of the server's progress messages). */
export function progressLine(p: { expansions: number; budget: number | undefined; elapsedS: number; bestDepth: number }): string {
    const budget = p.budget !== undefined ? `/${p.budget}` : '';
    return `${p.expansions}${budget} expansions · ${p.elapsedS.toFixed(1)} s · best depth ${p.bestDepth}`;
}

/** A pretty-printed state with each goal's `⊢` line marked. */
function goalHtml(goal: string): string {
    const lines = goal.split('\n').map((l) => (l.trimStart().startsWith('⊢') ? `<b>${escapeHtml(l)}</b>` : escapeHtml(l)));
    return `<pre class="goal">${lines.join('\n')}</pre>`;
}

function suggestionHtml(s: TacticSuggestion, index: number, key: number | undefined): string {
    const pct = confidence(s.score);
    const icon = s.outcome === 'proved' ? '✓' : '→';
    const goals = s.goalsAfter.map((g) => goalHtml(g)).join('');
    const kbd = key !== undefined ? `<kbd>${key}</kbd>` : '';
    return (
        `<li><button class="suggestion ${s.outcome}" data-insert="${index}"${key !== undefined ? ` data-key="${key}"` : ''}` +
        ` title="Insert (${escapeHtml(OUTCOME_WORD[s.outcome])})">` +
        `${kbd}<span class="icon">${icon}</span><code>${escapeHtml(s.tactic)}</code>` +
        `<span class="detail">${escapeHtml(outcomeDetail(s))}</span>` +
        `<meter min="0" max="100" value="${pct}" title="model confidence ${pct}%"></meter>` +
        `</button>${goals !== '' ? `<div class="after">${goals}</div>` : ''}</li>`
    );
}

function failedHtml(failed: readonly TacticSuggestion[]): string {
    if (failed.length === 0) {
        return '';
    }
    const items = failed
        .map((s) => `<li><code>${escapeHtml(s.tactic)}</code><pre class="message">${escapeHtml(s.message ?? 'rejected')}</pre></li>`)
        .join('');
    return `<details id="failed"><summary>Rejected by Lean (${failed.length})</summary><ul class="failed">${items}</ul></details>`;
}

function suggestHtml(view: SuggestView): string {
    switch (view.kind) {
        case 'idle':
            return `<p class="muted">${escapeHtml(view.note)}</p>`;
        case 'loading':
            return `<p class="where">${escapeHtml(view.where)}</p><p class="muted busy">checking tactics in Lean…</p>`;
        case 'error':
            return `<p class="where">${escapeHtml(view.where)}</p><p class="error">${escapeHtml(view.message)}</p>`;
        case 'ready': {
            const { result } = view;
            const ranked = rankSuggestions(result.suggestions);
            const checked = ranked.filter(isChecked);
            const failed = ranked.filter((s) => !isChecked(s));
            const items = checked
                .map((s, i) => suggestionHtml(s, result.suggestions.indexOf(s), i < 9 ? i + 1 : undefined))
                .join('');
            const goal = result.goal !== null ? goalHtml(result.goal) : '';
            const note = view.note !== undefined ? `<p class="note">${escapeHtml(view.note)}</p>` : '';
            return (
                `<p class="where">${escapeHtml(view.where)}</p>${goal}<h2>Suggestions</h2>` +
                `<p class="summary">${escapeHtml(result.summary)}</p>${note}` +
                (items !== '' ? `<ol class="suggestions">${items}</ol>` : '') +
                failedHtml(failed)
            );
        }
    }
}

function searchHtml(view: SearchView): string {
    if (view.kind === 'running') {
        const p = view.progress;
        const line = p !== undefined ? progressLine(p) : 'starting…';
        const bar = p !== undefined ? `<progress max="${p.budget}" value="${p.expansions}"></progress>` : '';
        const path =
            p !== undefined && p.bestPath.length > 0
                ? `<p class="muted">best path so far</p><pre class="proof">${escapeHtml(p.bestPath.join('\n'))}</pre>`
                : '';
        return (
            `<h2>Proof search</h2><p class="where">${escapeHtml(view.where)}</p>` +
            `<p class="progress busy">${escapeHtml(line)}</p>${bar}${path}` +
            '<button class="action" data-action="cancel">Cancel</button>'
        );
    }
    const { result, landed } = view;
    const proof = result.proof !== undefined && result.proof.length > 0 ? `<pre class="proof">${escapeHtml(result.proof.join('\n'))}</pre>` : '';
    const stats = result.stats !== undefined ? `<p class="muted">${escapeHtml(progressLine(result.stats))}</p>` : '';
    let head: string;
    let actions = '';
    if (result.proved && landed?.kind === 'placed') {
        head = `<p class="proved">✓ ${escapeHtml(landed.message)}</p>`;
    } else if (result.proved || result.status === 'withheld') {
        const why = landed?.message ?? result.message;
        head = `<p class="error">Proof not placed: ${escapeHtml(why)}</p>`;
        actions = proof !== '' ? '<button class="action" data-action="copy">Copy proof</button>' : '';
    } else {
        head = `<p class="${result.status === 'cancelled' ? 'muted' : 'error'}">${escapeHtml(result.message)}</p>`;
        const hint = result.hint !== undefined ? `<p class="muted">${escapeHtml(result.hint)}</p>` : '';
        head += hint;
        if (result.status !== 'cancelled' && result.status !== 'refused') {
            actions = '<button class="action" data-action="retry">Try again with 4× budget</button>';
        }
    }
    return `<h2>Proof search</h2><p class="where">${escapeHtml(view.where)}</p>${head}${stats}${proof}${actions}`;
}

/** The body of the panel for `model`. */
export function panelBody(model: PanelModel): string {
    const search = model.search !== undefined ? `<section class="search">${searchHtml(model.search)}</section>` : '';
    return `${search}<section class="cursor">${suggestHtml(model.suggest)}</section>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 10px; }
h2 { font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.05em; color: var(--vscode-descriptionForeground); margin: 12px 0 4px; }
pre, code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
pre { white-space: pre-wrap; margin: 4px 0; padding: 6px 8px; background: var(--vscode-textCodeBlock-background); border-radius: 3px; }
pre.goal b { color: var(--vscode-symbolIcon-functionForeground, var(--vscode-foreground)); }
.where, .muted { color: var(--vscode-descriptionForeground); margin: 4px 0; }
.summary { margin: 4px 0 6px; }
.error { color: var(--vscode-errorForeground); }
.proved { color: var(--vscode-testing-iconPassed, #73c991); font-weight: bold; }
ol.suggestions, ul.failed { list-style: none; padding: 0; margin: 0; }
button.suggestion { display: grid; grid-template-columns: auto auto 1fr auto 60px; gap: 8px; align-items: center; width: 100%; text-align: left;
  background: transparent; color: inherit; border: 1px solid transparent; border-radius: 3px; padding: 4px 6px; cursor: pointer; font: inherit; }
button.suggestion:hover, button.suggestion:focus { background: var(--vscode-list-hoverBackground); border-color: var(--vscode-focusBorder); outline: none; }
button.suggestion .icon { font-weight: bold; }
button.suggestion code, ul.failed code { background: none; padding: 0; }
button.proved .icon { color: var(--vscode-testing-iconPassed, #73c991); }
button.advanced .icon { color: var(--vscode-charts-blue, #3794ff); }
.detail { color: var(--vscode-descriptionForeground); }
kbd { font-size: 0.8em; border: 1px solid var(--vscode-descriptionForeground); border-radius: 3px; padding: 0 4px; color: var(--vscode-descriptionForeground); }
meter { width: 60px; height: 8px; }
.after { margin: 0 0 4px 46px; }
.after pre { font-size: 0.9em; padding: 3px 6px; }
details summary { cursor: pointer; color: var(--vscode-descriptionForeground); margin: 8px 0 4px; }
ul.failed li { margin: 4px 0 8px; }
pre.message { color: var(--vscode-errorForeground); font-size: 0.9em; }
progress { width: 100%; }
button.action { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; border-radius: 2px; cursor: pointer; margin: 6px 0; }
button.action:hover { background: var(--vscode-button-hoverBackground); }
section.search { border-bottom: 1px solid var(--vscode-panel-border, #444); padding-bottom: 8px; }
`;

const SCRIPT = `
const vscode = acquireVsCodeApi();
const root = document.getElementById('root');
window.addEventListener('message', (e) => {
  if (!e.data || e.data.type !== 'render') return;
  const open = [...document.querySelectorAll('details[open]')].map((d) => d.id);
  root.innerHTML = e.data.html;
  for (const id of open) { const d = document.getElementById(id); if (d) d.open = true; }
});
document.addEventListener('click', (e) => {
  const t = e.target.closest('[data-insert],[data-action]');
  if (!t) return;
  if (t.dataset.insert !== undefined) vscode.postMessage({ type: 'insert', index: Number(t.dataset.insert) });
  else vscode.postMessage({ type: t.dataset.action });
});
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (/^[1-9]$/.test(e.key)) {
    const b = document.querySelector('[data-key="' + e.key + '"]');
    if (b) { e.preventDefault(); b.click(); }
  } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const all = [...document.querySelectorAll('[data-insert]')];
    if (all.length === 0) return;
    const i = all.indexOf(document.activeElement);
    const next = e.key === 'ArrowDown' ? Math.min(all.length - 1, i + 1) : Math.max(0, i - 1);
    e.preventDefault();
    all[next].focus();
  }
});
vscode.postMessage({ type: 'ready' });
`;

/** The panel's page: a strict CSP, the style, and the script that renders posted bodies. */
export function panelShell(nonce: string, cspSource: string, body: string): string {
    const csp = `default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
    return (
        `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">` +
        `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
        `<meta name="viewport" content="width=device-width, initial-scale=1.0">` +
        `<style nonce="${nonce}">${STYLE}</style></head>` +
        `<body><div id="root">${body}</div><script nonce="${nonce}">${SCRIPT}</script></body></html>`
    );
}
