/**
 * Reading answers of Lean's own language server, which is reached through the Lean 4 extension's
 * undocumented API: every answer is `unknown` until checked here.
 */

import * as path from 'node:path';

export type GoalAnswer =
    | { kind: 'goal'; text: string }
    /** Lean answered: there is no goal at the position (or all goals are closed). */
    | { kind: 'none' }
    /** No answer from Lean (no Lean 4 extension, no client, timeout, error…). */
    | { kind: 'unavailable'; reason: string };

function isStringArray(value: unknown): value is string[] {
    return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** `$/lean/plainGoal` → `{rendered, goals}` or null; goals are joined with blank lines. */
export function goalFromPlainGoal(response: unknown): GoalAnswer {
    if (response === null || response === undefined) {
        return { kind: 'none' };
    }
    if (typeof response !== 'object' || !('goals' in response) || !isStringArray(response.goals)) {
        return { kind: 'unavailable', reason: 'unexpected $/lean/plainGoal response' };
    }
    const goals = response.goals.filter((g) => g.trim() !== '');
    return goals.length === 0 ? { kind: 'none' } : { kind: 'goal', text: goals.join('\n\n') };
}

/** `file` lies inside `folder` (or is it), by path alone; what the Lean 4 extension's FileUri checks. */
export function isFileInFolder(file: string, folder: string): boolean {
    const rel = path.relative(folder, file);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A short text for an error of unknown type (the Lean client rejects with strings, too). */
export function errorText(error: unknown): string {
    if (error instanceof Error) {
        return error.message;
    }
    if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
        return error.message;
    }
    return String(error);
}
