/**
 * Where and how a chosen tactic goes into the file. Lean is indentation-sensitive, so every
 * inserted line is indented with spaces to the column of the tactic block it joins.
 *
 * Invariant: a plan replaces one range on one line (`line`, [`start`, `end`)); its `text` may
 * contain newlines, and every line of it after the first carries the block's indentation.
 */

import type { TacticSuggestion } from '../protocol';

export interface LineSource {
    readonly lineCount: number;
    lineAt(line: number): string;
}

export interface InsertionPlan {
    line: number;
    start: number;
    end: number;
    text: string;
}

/** Width of the leading whitespace. */
export function indentOf(line: string): number {
    return line.length - line.trimStart().length;
}

export function isBlank(line: string): boolean {
    return line.trim() === '';
}

/** `text` with every line after the first indented by `indent` spaces (blank lines stay empty). */
export function indentBlock(text: string, indent: number): string {
    const pad = ' '.repeat(indent);
    return text
        .split('\n')
        .map((l, i) => (i === 0 || l.trim() === '' ? l : pad + l))
        .join('\n');
}

/** Column of a tactic written on the line after `line` in the same proof. */
export function indentAfter(line: string): number {
    const trimmed = line.trim();
    const base = indentOf(line);
    if (/(^|[\s(])by$/.test(trimmed) || trimmed.endsWith('=>')) {
        return base + 2;
    }
    const bullet = /^[·.]\s+/.exec(trimmed);
    return bullet ? base + bullet[0].length : base;
}

/** Column for a tactic on blank line `line`: follows the nearest non-blank line above (else 2). */
export function blockIndent(doc: LineSource, line: number): number {
    for (let i = line - 1; i >= 0; i--) {
        const text = doc.lineAt(i);
        if (!isBlank(text)) {
            return indentAfter(text);
        }
    }
    return 2;
}

const IDENT_CHAR = /[\p{L}\p{N}_'!?.]/u;

/** The `sorry` token on `line` that contains or touches column `character`, as [start, end). */
export function sorryAt(line: string, character: number): [number, number] | undefined {
    const re = /sorry/g;
    for (let m = re.exec(line); m !== null; m = re.exec(line)) {
        const start = m.index;
        const end = start + m[0].length;
        const before = start > 0 ? line.charAt(start - 1) : '';
        const after = line.charAt(end);
        const isToken = !IDENT_CHAR.test(before) && !(after !== '' && IDENT_CHAR.test(after));
        if (isToken && start <= character && character <= end) {
            return [start, end];
        }
    }
    return undefined;
}

/** What closes the goals a "progress" tactic leaves: one `sorry`, or `all_goals sorry` for several. */
export function sorryFor(goalsLeft: number): string {
    return goalsLeft > 1 ? 'all_goals sorry' : 'sorry';
}

function planAtSorry(line: number, text: string, span: [number, number], s: TacticSuggestion): InsertionPlan {
    const [start, end] = span;
    const prefix = text.slice(0, start);
    const rest = s.outcome === 'proves' ? undefined : sorryFor(s.goalsAfter.length);
    if (isBlank(prefix)) {
        // `sorry` opens its line: the tactic takes its place, the rest stays at its column.
        const body = indentBlock(s.tactic, start) + (rest ? `\n${' '.repeat(start)}${rest}` : '');
        return { line, start, end, text: body };
    }
    // `sorry` follows other code (`:= by sorry`, `⟨sorry, h⟩`): a term position needs `by`.
    const needsBy = !/(^|[\s(])by$/.test(prefix.trimEnd());
    const by = needsBy ? 'by ' : '';
    if (!s.tactic.includes('\n')) {
        return { line, start, end, text: by + (rest ? `${s.tactic}; ${rest}` : s.tactic) };
    }
    const col = indentOf(text) + 2;
    const pad = ' '.repeat(col);
    const cut = prefix.trimEnd().length;
    const lines = [...s.tactic.split('\n'), ...(rest ? [rest] : [])];
    const body = lines.map((l) => (l.trim() === '' ? '' : pad + l)).join('\n');
    return { line, start: cut, end, text: `${needsBy ? ' by' : ''}\n${body}` };
}

/**
 * Where `s.tactic` goes for a cursor at (`line`, `character`):
 * - on a `sorry`: "proves" replaces it; "progress" goes before it (and enough `sorry` remains);
 * - on a blank line: the line becomes the tactic, indented like the block it is in;
 * - at or before the first character of a tactic: a new line above, at that tactic's column
 *   (Lean's goal there is the one before that tactic);
 * - after it: a new line below (Lean's goal there is the one after it).
 */
export function planInsertion(
    doc: LineSource,
    line: number,
    character: number,
    s: TacticSuggestion,
): InsertionPlan {
    const text = doc.lineAt(line);
    const span = sorryAt(text, character);
    if (span) {
        return planAtSorry(line, text, span, s);
    }
    if (isBlank(text)) {
        const col = text.length > 0 ? text.length : blockIndent(doc, line);
        return { line, start: 0, end: text.length, text: ' '.repeat(col) + indentBlock(s.tactic, col) };
    }
    const col = indentOf(text);
    if (character <= col) {
        return { line, start: 0, end: 0, text: `${' '.repeat(col)}${indentBlock(s.tactic, col)}\n` };
    }
    const below = indentAfter(text);
    return {
        line,
        start: text.length,
        end: text.length,
        text: `\n${' '.repeat(below)}${indentBlock(s.tactic, below)}`,
    };
}
