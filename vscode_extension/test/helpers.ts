/** Test helpers: suggestions and documents as plain values. */

import type { Outcome, TacticSuggestion } from '../src/protocol';
import type { LineSource } from '../src/pure/indent';

export function suggestion(tactic: string, outcome: Outcome, score = -0.5, goalsAfter: string[] = []): TacticSuggestion {
    return outcome === 'fails'
        ? { tactic, outcome, score, goalsAfter, message: 'unknown tactic' }
        : { tactic, outcome, score, goalsAfter };
}

export function doc(text: string): LineSource {
    const lines = text.split('\n');
    return {
        lineCount: lines.length,
        lineAt: (i: number): string => {
            const line = lines[i];
            if (line === undefined) {
                throw new RangeError(`no line ${i}`);
            }
            return line;
        },
    };
}

/** `text` with `plan` applied (a one-line range replaced by possibly multi-line text). */
export function apply(text: string, plan: { line: number; start: number; end: number; text: string }): string {
    const lines = text.split('\n');
    const line = lines[plan.line] ?? '';
    lines[plan.line] = line.slice(0, plan.start) + plan.text + line.slice(plan.end);
    return lines.join('\n');
}
