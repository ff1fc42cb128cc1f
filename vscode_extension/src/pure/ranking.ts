/**
 * How ranked suggestions are ordered and shown. The server already ranks them (proves, then
 * progress, then fails; by score within each outcome); `rankSuggestions` re-applies that order
 * with a stable sort, so the display never depends on the server getting it right.
 */

import type { Outcome, TacticSuggestion } from '../protocol';

const OUTCOME_ORDER: Record<Outcome, number> = { proves: 0, progress: 1, fails: 2 };

/** Codicons shown before each tactic in the quick pick. */
export const OUTCOME_ICON: Record<Outcome, string> = {
    proves: '$(pass-filled)',
    progress: '$(arrow-right)',
    fails: '$(error)',
};

const OUTCOME_WORD: Record<Outcome, string> = {
    proves: 'proves the goal',
    progress: 'makes progress',
    fails: 'rejected by Lean',
};

/** Checked in Lean and accepted: the only suggestions that may be inserted or shown inline. */
export function isChecked(s: TacticSuggestion): boolean {
    return s.outcome === 'proves' || s.outcome === 'progress';
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

export interface SuggestionView {
    label: string;
    description: string;
    detail: string;
}

const DETAIL_MAX = 240;

/** Quick-pick text: outcome icon and tactic; outcome and score; the goals left (or Lean's error). */
export function describeSuggestion(s: TacticSuggestion): SuggestionView {
    const [first = '', ...rest] = s.tactic.split('\n');
    const label = `${OUTCOME_ICON[s.outcome]} ${first}${rest.length > 0 ? ' …' : ''}`;
    const description = `${OUTCOME_WORD[s.outcome]} · score ${s.score.toFixed(2)}`;
    let detail: string;
    if (s.outcome === 'proves') {
        detail = 'no goals left';
    } else if (s.outcome === 'progress') {
        const n = s.goalsAfter.length;
        const targets = s.goalsAfter.map(goalTarget).join('   ');
        detail = `${n} goal${n === 1 ? '' : 's'} left: ${targets}`;
    } else {
        detail = (s.message ?? 'Lean rejected this tactic').split('\n')[0] ?? '';
    }
    return { label, description, detail: truncate(detail, DETAIL_MAX) };
}
