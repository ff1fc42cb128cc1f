/**
 * Arguments of the editor commands when they are invoked from a code action of the server:
 * either one `{textDocument: {uri}, position}` object (preferred) or `uri, position`.
 */

import type { Position } from '../protocol';

export interface CommandTarget {
    uri: string;
    position: Position;
}

function isPosition(value: unknown): value is Position {
    return (
        typeof value === 'object' &&
        value !== null &&
        'line' in value &&
        'character' in value &&
        Number.isInteger(value.line) &&
        Number.isInteger(value.character) &&
        (value.line as number) >= 0 &&
        (value.character as number) >= 0
    );
}

export function commandTarget(args: readonly unknown[]): CommandTarget | undefined {
    const [first, second] = args;
    if (typeof first === 'string' && isPosition(second)) {
        return { uri: first, position: { line: second.line, character: second.character } };
    }
    if (typeof first === 'object' && first !== null && 'textDocument' in first && 'position' in first) {
        const doc = first.textDocument;
        const pos = first.position;
        if (typeof doc === 'object' && doc !== null && 'uri' in doc && typeof doc.uri === 'string' && isPosition(pos)) {
            return { uri: doc.uri, position: { line: pos.line, character: pos.character } };
        }
    }
    return undefined;
}
