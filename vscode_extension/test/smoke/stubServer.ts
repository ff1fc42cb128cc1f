/**
 * A stand-in leanstep server speaking LSP over stdio. It appends every message it receives to the
 * JSON-lines file named by LEANSTEP_STUB_LOG and answers leanstep's custom requests with fixed
 * data. Behaviour by document name: `Slow.lean` never answers (cancellation), `Crash.lean`
 * exits the process (crash and restart).
 */

import { appendFileSync } from 'node:fs';
import { type CancellationToken, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';

const logPath = process.env.LEANSTEP_STUB_LOG ?? '/dev/null';

function record(method: string, params: unknown): void {
    appendFileSync(logPath, `${JSON.stringify({ method, params })}\n`);
}

interface Params {
    textDocument: { uri: string };
    position: { line: number; character: number };
    workDoneToken?: string | number;
}

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));

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
    if (method === 'exit') {
        process.exit(0);
    }
});

connection.onRequest('leanstep/suggestTactics', (params: Params) => {
    record('leanstep/suggestTactics', params);
    if (params.textDocument.uri.endsWith('Crash.lean')) {
        process.exit(3);
    }
    return {
        goal: 'p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q',
        suggestions: [
            { tactic: 'simp', score: -2.5, outcome: 'fails', goalsAfter: [], message: 'simp made no progress' },
            { tactic: 'constructor', score: -0.4, outcome: 'progress', goalsAfter: ['⊢ p', '⊢ q'] },
            { tactic: 'exact ⟨hp, hq⟩', score: -0.9, outcome: 'proves', goalsAfter: [] },
        ],
    };
});

connection.onRequest('leanstep/searchProof', async (params: Params, token: CancellationToken) => {
    record('leanstep/searchProof', params);
    if (params.textDocument.uri.endsWith('Slow.lean')) {
        await new Promise<void>((resolve) => {
            token.onCancellationRequested(() => {
                record('cancelled', params);
                resolve();
            });
        });
        return { proved: false, message: 'cancelled' };
    }
    const progressToken = params.workDoneToken ?? 'none';
    await connection.sendNotification('$/progress', { token: progressToken, value: { kind: 'begin', title: 'search', percentage: 0 } });
    await connection.sendNotification('$/progress', { token: progressToken, value: { kind: 'report', message: '10 expansions', percentage: 40 } });
    await connection.sendNotification('$/progress', { token: progressToken, value: { kind: 'end' } });
    const { line, character } = params.position;
    return {
        proved: true,
        message: 'Proved in 2 steps.',
        proof: ['constructor', 'all_goals assumption'],
        edit: {
            changes: {
                [params.textDocument.uri]: [
                    {
                        range: { start: { line, character }, end: { line, character: character + 5 } },
                        newText: 'constructor\n  all_goals assumption',
                    },
                ],
            },
        },
    };
});

connection.onRequest('leanstep/sketchLemmas', (params: Params) => {
    record('leanstep/sketchLemmas', params);
    return {
        message: 'Sketched 1 lemma.',
        skeleton: 'have h : p := by sorry',
        edit: { changes: { 'file:///elsewhere/Other.lean': [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'x' }] } },
    };
});

connection.listen();
