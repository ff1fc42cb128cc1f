/**
 * How ranked suggestions are ordered and described. The server already ranks them (proved, then
 * advanced, then failed; by score within each outcome); `rankSuggestions` re-applies that order
 * with a stable sort, so the display never depends on the server getting it right.
 *
 * Invariant: a raw score (a mean token log-prob) is never shown; `confidence` turns it into a
 * percentage, exp(score).
 */

import type { Outcome, TacticSuggestion } from '../protocol';

const OUTCOME_ORDER: Record<Outcome, number> = { proved: 0, advanced: 1, failed: 2 };

export const OUTCOME_WORD: Record<Outcome, string> = {
    proved: 'proves the goal',
    advanced: 'makes progress',
    failed: 'rejected by Lean',
};

/** Checked in Lean and accepted: the only suggestions that may be inserted or shown inline. */
export function isChecked(s: TacticSuggestion): boolean {
    return s.outcome === 'proved' || s.outcome === 'advanced';
}

export function rankSuggestions(suggestions: readonly TacticSuggestion[]): TacticSuggestion[] {
    return suggestions
        .map((s, index) => ({ s, index }))
        .sort(
            (a, b) =>
                OUTCOME_ORDER[a.s.outcome] - OUTCOME_ORDER[b.s.outcome] ||
                b.s.score - a.s.score ||
                a.index - b.index,
        )
        .map(({ s }) => s);
}

/** exp(mean token log-prob) as a whole percentage in [0, 100] (the model's per-token confidence). */
export function confidence(score: number): number {
    if (!Number.isFinite(score)) {
        return score > 0 ? 100 : 0;
    }
    return Math.round(Math.min(1, Math.exp(score)) * 100);
}

/** The target line of the first goal of a pretty-printed state (`⊢ …`), or its last line:
 *  suggestions are for the first goal. */
export function goalTarget(goal: string): string {
    const lines = goal.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const target = lines.find((l) => l.startsWith('⊢'));
    return target ?? lines.pop() ?? '';
}

export function truncate(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** What a suggestion leaves, in plain words. */
export function outcomeDetail(s: TacticSuggestion): string {
    if (s.outcome === 'proved') {
        return 'no goals left';
    }
    if (s.outcome === 'advanced') {
        const n = s.goalsAfter.length;
        return n === 0 ? 'makes progress' : `${n} goal${n === 1 ? '' : 's'} left`;
    }
    return (s.message ?? 'Lean rejected this tactic').split('\n')[0] ?? '';
}
