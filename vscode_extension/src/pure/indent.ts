/**
 * Indentation of tactic blocks. Lean is indentation-sensitive, so every inserted line is indented
 * with spaces to the column of the tactic block it joins. (Where a chosen suggestion goes is the
 * server's decision, by the one cursor rule (`lsp_server/protocol.py`). Ghost text uses these rules to
 * indent what it shows, e.g. on the empty line after `:= by`.)
 */

export interface LineSource {
    readonly lineCount: number;
    lineAt(line: number): string;
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
