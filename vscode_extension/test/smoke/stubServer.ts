/**
 * A stand-in leanstep server speaking LSP (wire contract v2) over stdio. It appends every message
 * it receives to the JSON-lines file named by LEANSTEP_STUB_LOG, keeps the text and version of
 * each open document (full sync), and answers leanstep's requests with fixed data placed on the
 * current text. Behaviour by document name: `Slow.lean` never answers (cancellation), `Crash.lean`
 * exits the process (crash and restart), `Late.lean` answers a search after 300 ms with an edit on
 * the version it was asked on (so an edit made meanwhile makes it stale).
 * A `didChangeConfiguration` with `policy.model = "/missing"` reports a configuration error.
 */

import { appendFileSync } from 'node:fs';
import { type CancellationToken, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';

const logPath = process.env.LEANSTEP_STUB_LOG ?? '/dev/null';

function record(method: string, params: unknown): void {
    appendFileSync(logPath, `${JSON.stringify({ method, params })}\n`);
}

interface Params {
    textDocument: { uri: string; version?: number };
    position: { line: number; character: number };
    workDoneToken?: string | number;
}

interface Doc {
    text: string;
    version: number;
}

const docs = new Map<string, Doc>();
const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));

/** The `sorry` on the first line that has one, as a range. */
function sorryRange(text: string): { start: { line: number; character: number }; end: { line: number; character: number } } {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /\bsorry\b/.test(l));
    const character = (lines[line] ?? '').indexOf('sorry');
    return { start: { line, character }, end: { line, character: character + 5 } };
}

function proofEdit(uri: string, doc: Doc): unknown {
    return {
        documentChanges: [
            { textDocument: { uri, version: doc.version }, edits: [{ range: sorryRange(doc.text), newText: 'constructor\n  · exact hp\n  · exact hq' }] },
        ],
    };
}

connection.onRequest('initialize', (params: unknown) => {
    record('initialize', params);
    return { capabilities: { textDocumentSync: 1 }, serverInfo: { name: 'stub' } };
});

connection.onRequest('shutdown', () => {
    record('shutdown', null);
    return null;
});

connection.onNotification((method: string, params: unknown) => {
    record(method, params);
    const p = params as { textDocument?: { uri: string; version: number; text?: string }; contentChanges?: { text: string }[] };
    if (method === 'exit') {
        process.exit(0);
    } else if (method === 'initialized') {
        void connection.sendNotification('leanstep/status', { state: 'loading', message: 'loading the model' });
        void connection.sendNotification('leanstep/status', { state: 'ready', message: 'ready' });
    } else if (method === 'textDocument/didOpen' && p.textDocument) {
        docs.set(p.textDocument.uri, { text: p.textDocument.text ?? '', version: p.textDocument.version });
    } else if (method === 'textDocument/didChange' && p.textDocument) {
        const text = p.contentChanges?.at(-1)?.text ?? '';
        docs.set(p.textDocument.uri, { text, version: p.textDocument.version });
    } else if (method === 'workspace/didChangeConfiguration') {
        const model = (params as { settings?: { leanstep?: { policy?: { model?: string } } } }).settings?.leanstep?.policy?.model;
        void connection.sendNotification(
            'leanstep/status',
            model === '/missing'
                ? { state: 'error', message: 'model directory not found: /missing (policy.model in settings)', configPath: '/proj/leanstep.toml' }
                : { state: 'ready', message: 'ready' },
        );
    }
});

connection.onRequest('leanstep/suggestTactics', (params: Params) => {
    record('leanstep/suggestTactics', params);
    if (params.textDocument.uri.endsWith('Crash.lean')) {
        process.exit(3);
    }
    const doc = docs.get(params.textDocument.uri);
    const { line, character } = params.position;
    const lineText = (doc?.text ?? '').split('\n')[line] ?? '';
    const onSorry = /\bsorry\b/.test(lineText);
    const start = onSorry ? lineText.indexOf('sorry') : character;
    return {
        version: doc?.version ?? null,
        goal: 'p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q',
        suggestions: [
            { tactic: 'exact ⟨hp, hq⟩', score: -0.9, outcome: 'proved', goalsAfter: [], insertText: 'exact ⟨hp, hq⟩' },
            { tactic: 'constructor', score: -0.4, outcome: 'advanced', goalsAfter: ['⊢ p', '⊢ q'], insertText: 'constructor\n  · sorry\n  · sorry' },
            { tactic: 'simp', score: -2.5, outcome: 'failed', goalsAfter: [], message: 'simp made no progress', insertText: 'simp' },
        ],
        summary: '5 sampled: 1 proves the goal, 1 makes progress, 1 rejected by Lean, 2 duplicates',
        counts: { sampled: 5, duplicates: 2, screened: 0, proved: 1, advanced: 1, failed: 1 },
        insert: {
            range: { start: { line, character: start }, end: { line, character: onSorry ? start + 5 : character } },
            indent: 2,
            newLine: false,
        },
    };
});

connection.onRequest('leanstep/searchProof', async (params: Params, token: CancellationToken) => {
    record('leanstep/searchProof', params);
    const uri = params.textDocument.uri;
    if (uri.endsWith('Slow.lean')) {
        await new Promise<void>((resolve) => {
            token.onCancellationRequested(() => {
                record('cancelled', params);
                resolve();
            });
        });
        return { proved: false, status: 'cancelled', message: 'cancelled' };
    }
    const progressToken = params.workDoneToken ?? 'none';
    await connection.sendNotification('$/progress', { token: progressToken, value: { kind: 'begin', title: 'search', percentage: 0 } });
    await connection.sendNotification('$/progress', {
        token: progressToken,
        value: { kind: 'report', message: '10/40 expansions · 0.5 s · best depth 1', percentage: 25 },
    });
    await connection.sendNotification('leanstep/searchProgress', {
        uri,
        token: progressToken,
        expansions: 10,
        budget: 40,
        elapsedS: 0.5,
        bestDepth: 1,
        bestPath: ['constructor'],
    });
    const asked = { ...(docs.get(uri) ?? { text: '', version: 0 }) };
    if (uri.endsWith('Late.lean')) {
        await new Promise((r) => setTimeout(r, 300));
    }
    await connection.sendNotification('$/progress', { token: progressToken, value: { kind: 'end' } });
    if (uri.endsWith('Hard.lean')) {
        return {
            proved: false,
            status: 'budget',
            message: 'no proof within 40 expansions',
            hint: 'try again with 4× budget (160 expansions)',
            stats: { expansions: 40, budget: 40, elapsedS: 1.5, bestDepth: 2 },
        };
    }
    return {
        proved: true,
        status: 'proved',
        message: 'Proved in 3 steps and verified.',
        proof: ['constructor', '· exact hp', '· exact hq'],
        anchor: { declaration: 't', sorry: 0 },
        edit: proofEdit(uri, asked),
        stats: { expansions: 12, budget: 40, elapsedS: 0.6, bestDepth: 3 },
    };
});

connection.onRequest('leanstep/placeProof', (params: { textDocument: { uri: string }; anchor: unknown; proof: string[] }) => {
    record('leanstep/placeProof', params);
    const doc = docs.get(params.textDocument.uri);
    if (doc === undefined) {
        return { status: 'withheld', message: 'the document is closed' };
    }
    return { status: 'placed', message: 'Proved in 3 steps and verified (placed again).', edit: proofEdit(params.textDocument.uri, doc) };
});

connection.onRequest('leanstep/sketchLemmas', (params: Params) => {
    record('leanstep/sketchLemmas', params);
    return {
        message: 'Sketched 1 lemma.',
        status: 'sketched',
        skeleton: 'have h : p := by sorry',
        edit: {
            documentChanges: [
                {
                    textDocument: { uri: 'file:///elsewhere/Other.lean', version: 1 },
                    edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'x' }],
                },
            ],
        },
    };
});

connection.listen();
