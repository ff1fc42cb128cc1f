/**
 * Checks on the WorkspaceEdits the server returns. A proof or sketch edit may only change the text
 * of the document it was asked about: no other files, no file creation, renaming or deletion.
 */

import type { WorkspaceEdit } from 'vscode-languageclient';

export interface EditSummary {
    /** Documents whose text the edit changes. */
    textUris: string[];
    /** Number of text edits. */
    textEdits: number;
    /** True when the edit creates, renames or deletes files. */
    fileOperations: boolean;
}

export function summarizeEdit(edit: WorkspaceEdit): EditSummary {
    const uris = new Set<string>();
    let textEdits = 0;
    let fileOperations = false;
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
        uris.add(uri);
        textEdits += edits.length;
    }
    for (const change of edit.documentChanges ?? []) {
        if ('kind' in change) {
            fileOperations = true;
        } else {
            uris.add(change.textDocument.uri);
            textEdits += change.edits.length;
        }
    }
    return { textUris: [...uris], textEdits, fileOperations };
}

/** Why `edit` may not be applied to document `uri`, or undefined when it may. */
export function editProblem(edit: WorkspaceEdit, uri: string): string | undefined {
    const summary = summarizeEdit(edit);
    if (summary.fileOperations) {
        return 'it creates, renames or deletes files';
    }
    const others = summary.textUris.filter((u) => u !== uri);
    if (others.length > 0) {
        return `it changes other files (${others.join(', ')})`;
    }
    if (summary.textEdits === 0) {
        return 'it is empty';
    }
    return undefined;
}

/** A proof as text to copy: one tactic per line. */
export function proofText(proof: readonly string[] | undefined): string {
    return (proof ?? []).join('\n');
}
