/**
 * Ghost text for the next tactic. Only checked suggestions ("proves" or "progress") are shown,
 * in ranked order, and only those that extend what is already typed on the line.
 *
 * Invariant: the result replaces [`start`, cursor) on the cursor line and `text` begins with the
 * text of that range, as VS Code requires for inline completions to display.
 */

import type { TacticSuggestion } from '../protocol';
import { indentBlock, indentOf } from './indent';
import { isChecked } from './ranking';

export interface InlineInsertion {
    start: number;
    text: string;
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
        return { start: 0, text: ' '.repeat(contextIndent) + indentBlock(match.tactic, contextIndent) };
    }
    return { start: prefix.indent, text: indentBlock(match.tactic, prefix.indent) };
}
