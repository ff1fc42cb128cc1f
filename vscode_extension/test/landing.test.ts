import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkspaceEdit } from 'vscode-languageclient';
import type { PlaceProofResult } from '../src/protocol';
import { MAX_PLACE_TRIES, checkEdit, editVersions, landEdit, type LandingPorts } from '../src/pure/landing';

const uri = 'file:///proj/Foo.lean';
const range = { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } };
const at = (version: number | null, newText = 'exact h'): WorkspaceEdit => ({
    documentChanges: [{ textDocument: { uri, version }, edits: [{ range, newText }] }],
});

/** A document whose version moves `bumps` times (one per apply attempt that finds it moved). */
function ports(opts: { version: number; moves?: number[]; placed?: PlaceProofResult[] }): LandingPorts & {
    applied: WorkspaceEdit[];
    placeCalls: number;
} {
    let version = opts.version;
    const moves = [...(opts.moves ?? [])];
    const placed = [...(opts.placed ?? [])];
    const state = {
        applied: [] as WorkspaceEdit[],
        placeCalls: 0,
        version: () => version,
        apply: (edit: WorkspaceEdit, expected: number): Promise<boolean> => {
            const move = moves.shift();
            if (move !== undefined) {
                version = move; // the user typed between the check and the apply
            }
            if (version !== expected) {
                return Promise.resolve(false);
            }
            state.applied.push(edit);
            return Promise.resolve(true);
        },
        place: (): Promise<PlaceProofResult> | undefined => {
            state.placeCalls += 1;
            const next = placed.shift();
            return next === undefined ? undefined : Promise.resolve(next);
        },
    };
    return state;
}

describe('checkEdit', () => {
    it('applies only an edit naming the current version', () => {
        assert.deepEqual(checkEdit(at(5), uri, 5), { kind: 'apply' });
        assert.deepEqual(checkEdit(at(4), uri, 5), { kind: 'stale' });
        assert.deepEqual(checkEdit(at(null), uri, 5), { kind: 'stale' });
        assert.deepEqual(checkEdit({ changes: { [uri]: [{ range, newText: 'x' }] } }, uri, 5), { kind: 'stale' });
    });
    it('refuses an edit of another file', () => {
        const other: WorkspaceEdit = { documentChanges: [{ textDocument: { uri: 'file:///x.lean', version: 5 }, edits: [{ range, newText: 'x' }] }] };
        const check = checkEdit(other, uri, 5);
        assert.ok(check.kind === 'refused');
        assert.match(check.reason, /other files/);
    });
    it('reads the versions of both edit forms', () => {
        assert.deepEqual(editVersions(at(7), uri), [7]);
        assert.deepEqual(editVersions({ changes: { [uri]: [{ range, newText: 'x' }] } }, uri), [null]);
        assert.deepEqual(editVersions(at(7), 'file:///other.lean'), []);
    });
});

describe('landEdit', () => {
    it('applies an edit on the current version at once', async () => {
        const p = ports({ version: 5 });
        assert.deepEqual(await landEdit(uri, at(5), 'proved', p), { kind: 'placed', message: 'proved' });
        assert.equal(p.applied.length, 1);
        assert.equal(p.placeCalls, 0);
    });
    it('places the proof again when the document moved, then applies that edit', async () => {
        const p = ports({ version: 7, placed: [{ status: 'placed', message: 'placed again', edit: at(7, 'exact h₀') }] });
        assert.deepEqual(await landEdit(uri, at(5), 'proved', p), { kind: 'placed', message: 'placed again' });
        assert.equal(p.placeCalls, 1);
        assert.deepEqual(p.applied, [at(7, 'exact h₀')]);
    });
    it('retries when the user types between the check and the apply, at most 3 times', async () => {
        const placed = Array.from({ length: 5 }, (_, i) => ({ status: 'placed' as const, message: 'again', edit: at(10 + i) }));
        const p = ports({ version: 9, moves: [10, 11, 12, 13, 14], placed });
        const landed = await landEdit(uri, at(9), 'proved', p);
        assert.equal(landed.kind, 'withheld');
        assert.match(landed.message, /kept changing \(3 tries\)/);
        assert.equal(p.placeCalls, MAX_PLACE_TRIES);
        assert.deepEqual(p.applied, []);
    });
    it('shows what the server withheld, with its reason', async () => {
        const p = ports({ version: 6, placed: [{ status: 'withheld', message: 'the declaration changed and the proof no longer checks' }] });
        assert.deepEqual(await landEdit(uri, at(5), 'proved', p), {
            kind: 'withheld',
            message: 'the declaration changed and the proof no longer checks',
        });
        assert.deepEqual(await landEdit(uri, undefined, 'withheld: document closed', ports({ version: 1 })), {
            kind: 'withheld',
            message: 'withheld: document closed',
        });
    });
    it('without an anchor, a stale edit is withheld, never applied', async () => {
        const p = ports({ version: 6 });
        const landed = await landEdit(uri, at(5), 'sketched', p);
        assert.deepEqual(landed, { kind: 'withheld', message: 'not placed: the file changed while the server worked' });
        assert.deepEqual(p.applied, []);
    });
});
