/**
 * Ghost text for the next tactic. Only checked suggestions ("proved" or "advanced") are shown,
 * in ranked order, and only those that extend what is already typed on the line.
 *
 * Invariants: the result replaces [`start`, cursor) on the cursor line and `text` begins with the
 * text of that range, as VS Code requires for inline completions to display. Answers are cached
 * by (document, version, position); an answer without a goal is never cached.
 */

import type { TacticSuggestion } from '../protocol';
import { indentBlock, indentOf } from './indent';
import { isChecked } from './ranking';

export interface InlineInsertion {
    start: number;
    text: string;
    /** The suggestion shown; `outcome === 'proved'` earns the ✓ mark. */
    suggestion: TacticSuggestion;
}

/** The typed part of the line (after its indentation, up to the cursor), if the rest is blank. */
export function typedPrefix(lineText: string, cursor: number): { indent: number; typed: string } | undefined {
    if (lineText.slice(cursor).trim() !== '') {
        return undefined;
    }
    const before = lineText.slice(0, cursor);
    const indent = indentOf(before);
    return { indent, typed: before.slice(indent) };
}

/** The first checked suggestion that strictly extends `typed`. */
export function firstMatching(
    suggestions: readonly TacticSuggestion[],
    typed: string,
): TacticSuggestion | undefined {
    return suggestions.find((s) => isChecked(s) && s.tactic.startsWith(typed) && s.tactic.length > typed.length);
}

/**
 * The inline completion for a cursor at column `cursor` of `lineText`, where `contextIndent` is the
 * column a tactic on this line would take (used only when nothing, not even spaces, is typed).
 */
export function inlineInsertion(
    lineText: string,
    cursor: number,
    contextIndent: number,
    suggestions: readonly TacticSuggestion[],
): InlineInsertion | undefined {
    const prefix = typedPrefix(lineText, cursor);
    if (!prefix) {
        return undefined;
    }
    const match = firstMatching(suggestions, prefix.typed);
    if (!match) {
        return undefined;
    }
    if (cursor === 0 && contextIndent > 0) {
        return { start: 0, text: ' '.repeat(contextIndent) + indentBlock(match.tactic, contextIndent), suggestion: match };
    }
    return { start: prefix.indent, text: indentBlock(match.tactic, prefix.indent), suggestion: match };
}

export function inlineKey(uri: string, version: number, line: number, character: number): string {
    return `${uri}\n${version}\n${line}:${character}`;
}

/** A small LRU of inline answers; an answer with a null goal is refused (never cached). */
export class InlineCache<T> {
    private readonly entries = new Map<string, T>();

    constructor(private readonly capacity = 64) {}

    get(key: string): T | undefined {
        const value = this.entries.get(key);
        if (value !== undefined) {
            this.entries.delete(key);
            this.entries.set(key, value);
        }
        return value;
    }

    /** Stores `value` unless `goal` is null; true when stored. */
    set(key: string, goal: string | null, value: T): boolean {
        if (goal === null) {
            return false;
        }
        this.entries.delete(key);
        this.entries.set(key, value);
        while (this.entries.size > this.capacity) {
            const oldest = this.entries.keys().next().value;
            if (oldest === undefined) {
                break;
            }
            this.entries.delete(oldest);
        }
        return true;
    }
}
