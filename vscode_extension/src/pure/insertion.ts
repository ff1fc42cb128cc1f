/**
 * The text edit that inserts a chosen suggestion where the server's `InsertPlan` says (the one
 * cursor rule lives in the server; the client only spells out the plan).
 *
 * Invariants: the edit replaces exactly `plan.range` (on the answer's version, which the caller
 * checks); `insertText` is inserted verbatim after any indentation this adds: a new line below
 * (`newLine`) starts with `indent` spaces, and on an empty line the text is padded to `indent`.
 */

import type { InsertPlan, Position } from '../protocol';

export interface TextEditPlan {
    start: Position;
    end: Position;
    text: string;
}

export function insertionEdit(plan: InsertPlan, insertText: string, lineText: string): TextEditPlan {
    const { start, end } = plan.range;
    if (plan.newLine) {
        return { start, end, text: `\n${' '.repeat(plan.indent)}${insertText}` };
    }
    const before = lineText.slice(0, start.character);
    const pad = before.trim() === '' && start.character < plan.indent ? ' '.repeat(plan.indent - start.character) : '';
    return { start, end, text: pad + insertText };
}
