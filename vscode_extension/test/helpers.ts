/** Test helpers: suggestions and documents as plain values. */

import type { Outcome, TacticSuggestion } from '../src/protocol';
import type { LineSource } from '../src/pure/indent';

export function suggestion(tactic: string, outcome: Outcome, score = -0.5, goalsAfter: string[] = []): TacticSuggestion {
    return outcome === 'failed'
        ? { tactic, outcome, score, goalsAfter, message: 'unknown tactic', insertText: tactic }
        : { tactic, outcome, score, goalsAfter, insertText: tactic };
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
