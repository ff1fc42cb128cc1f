import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkspaceEdit } from 'vscode-languageclient';
import { editProblem, proofText, summarizeEdit } from '../src/pure/edits';

const uri = 'file:///proj/Foo.lean';
const range = { start: { line: 1, character: 2 }, end: { line: 1, character: 7 } };

describe('summarizeEdit / editProblem', () => {
    it('accepts text edits of the document, in either form', () => {
        const changes: WorkspaceEdit = { changes: { [uri]: [{ range, newText: 'simp' }] } };
        assert.deepEqual(summarizeEdit(changes), { textUris: [uri], textEdits: 1, fileOperations: false });
        assert.equal(editProblem(changes, uri), undefined);
        const versioned: WorkspaceEdit = {
            documentChanges: [{ textDocument: { uri, version: 3 }, edits: [{ range, newText: 'simp' }] }],
        };
        assert.equal(editProblem(versioned, uri), undefined);
    });
    it('refuses edits of other files, file operations and empty edits', () => {
        const other: WorkspaceEdit = { changes: { 'file:///proj/Bar.lean': [{ range, newText: 'x' }] } };
        assert.match(editProblem(other, uri) ?? '', /other files/);
        const create: WorkspaceEdit = { documentChanges: [{ kind: 'create', uri: 'file:///proj/New.lean' }] };
        assert.match(editProblem(create, uri) ?? '', /creates, renames or deletes/);
        assert.match(editProblem({}, uri) ?? '', /empty/);
        assert.match(editProblem({ changes: { [uri]: [] } }, uri) ?? '', /empty/);
    });
});

describe('proofText', () => {
    it('puts one tactic per line', () => {
        assert.equal(proofText(['intro h', 'exact h']), 'intro h\nexact h');
        assert.equal(proofText(undefined), '');
    });
});
