/**
 * Landing a server edit on the document it names (contract v2, "anchored edits").
 *
 * Invariants: an edit is applied only when every `TextDocumentEdit` in it names the document's
 * current version (an unversioned edit counts as stale); otherwise the proof is placed again on the
 * current text (`leanstep/placeProof`), at most `MAX_PLACE_TRIES` times; the user is never asked
 * whether to apply an edit to another version. What is not applied is returned with its reason,
 * so the caller can show it with the proof text.
 */

import type { WorkspaceEdit } from 'vscode-languageclient';
import type { PlaceProofResult } from '../protocol';
import { editProblem } from './edits';

export const MAX_PLACE_TRIES = 3;

export type Check = { kind: 'apply' } | { kind: 'stale' } | { kind: 'refused'; reason: string };

/** The versions the edit's text edits name for `uri` (null: unversioned). */
export function editVersions(edit: WorkspaceEdit, uri: string): (number | null)[] {
    const versions: (number | null)[] = [];
    for (const [u, edits] of Object.entries(edit.changes ?? {})) {
        if (u === uri && edits.length > 0) {
            versions.push(null);
        }
    }
    for (const change of edit.documentChanges ?? []) {
        if (!('kind' in change) && change.textDocument.uri === uri) {
            versions.push(change.textDocument.version);
        }
    }
    return versions;
}

/** Whether `edit` may be applied to document `uri` at `version` now. */
export function checkEdit(edit: WorkspaceEdit, uri: string, version: number): Check {
    const problem = editProblem(edit, uri);
    if (problem !== undefined) {
        return { kind: 'refused', reason: `not applied, because ${problem}` };
    }
    const versions = editVersions(edit, uri);
    return versions.length > 0 && versions.every((v) => v === version) ? { kind: 'apply' } : { kind: 'stale' };
}

export type Landed = { kind: 'placed'; message: string } | { kind: 'withheld'; message: string };

export interface LandingPorts {
    /** The document's version now. */
    version(): number;
    /** Applies `edit` if the document is still at `version`; false when it was not applied. */
    apply(edit: WorkspaceEdit, version: number): Promise<boolean>;
    /** `leanstep/placeProof` on the current text; undefined when there is no anchor to place by. */
    place(): Promise<PlaceProofResult> | undefined;
}

/** Lands `edit` (the answer's, computed on some version) by the invariants above. */
export async function landEdit(
    uri: string,
    edit: WorkspaceEdit | undefined,
    message: string,
    ports: LandingPorts,
): Promise<Landed> {
    let current = edit;
    let currentMessage = message;
    for (let tries = 0; ; tries++) {
        if (current === undefined) {
            return { kind: 'withheld', message: currentMessage };
        }
        const version = ports.version();
        const check = checkEdit(current, uri, version);
        if (check.kind === 'refused') {
            return { kind: 'withheld', message: check.reason };
        }
        if (check.kind === 'apply' && (await ports.apply(current, version))) {
            return { kind: 'placed', message: currentMessage };
        }
        const placing = tries < MAX_PLACE_TRIES ? ports.place() : undefined;
        if (placing === undefined) {
            return {
                kind: 'withheld',
                message:
                    tries >= MAX_PLACE_TRIES
                        ? `not placed: the file kept changing (${MAX_PLACE_TRIES} tries)`
                        : 'not placed: the file changed while the server worked',
            };
        }
        const placed = await placing;
        if (placed.status === 'withheld') {
            return { kind: 'withheld', message: placed.message };
        }
        current = placed.edit;
        currentMessage = placed.message;
    }
}
