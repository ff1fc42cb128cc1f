/**
 * Smoke test of the bundled extension (out/extension.js, so `npm run build` first) with the real
 * vscode-languageclient, a stand-in `vscode` module and a stub server process: activation, the
 * commands end to end, work-done progress, cancellation, the goal relay, ghost text, a crash and
 * restart, and shutdown.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, FakeDocument, Position, Range, Recorder, createVscode, type QuickPickItemLike } from './vscodeStub';

interface Logged {
    method: string;
    params: Record<string, unknown> | null;
}

interface ExtensionModule {
    activate(context: { subscriptions: { dispose(): unknown }[] }): void;
    deactivate(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const logPath = path.join(mkdtempSync(path.join(tmpdir(), 'leanstep-smoke-')), 'server.jsonl');
const rec = new Recorder();

function logged(method?: string): Logged[] {
    let text = '';
    try {
        text = readFileSync(logPath, 'utf8');
    } catch {
        return [];
    }
    const all = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Logged);
    return method === undefined ? all : all.filter((m) => m.method === method);
}

async function waitFor(what: string, predicate: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!predicate()) {
        if (Date.now() > end) {
            throw new Error(`timed out waiting for ${what}; log: ${rec.log.slice(-10).join(' | ')}`);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
}

function command(id: string): (...args: unknown[]) => Promise<unknown> {
    const handler = rec.commands.get(id);
    assert.ok(handler, `command ${id} registered`);
    return (...args) => Promise.resolve(handler(...args));
}

function open(name: string, text: string): FakeDocument {
    const doc = new FakeDocument(`file:///proj/${name}`, text);
    rec.documents.push(doc);
    return doc;
}

const PROOF = 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n';
const target = (doc: FakeDocument, line: number, character: number): unknown => ({
    textDocument: { uri: doc.uri.toString() },
    position: { line, character },
});

let extension: ExtensionModule;
const context = { subscriptions: [] as { dispose(): unknown }[] };

describe('the bundled extension against a stub server', () => {
    before(() => {
        process.env.LEANSTEP_STUB_LOG = logPath;
        writeFileSync(logPath, '');
        rec.config = {
            'leanstep.serverPath': process.execPath,
            'leanstep.serverArgs': [path.join(__dirname, 'stubServer.js')],
            'leanstep.suggestions.count': 5,
            'leanstep.inline.debounceMs': 0,
        };
        const vscode = createVscode(rec);
        const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
        const load = loader._load.bind(Module);
        loader._load = (request, parent, isMain) => (request === 'vscode' ? vscode : load(request, parent, isMain));
        open('Foo.lean', PROOF);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        extension = require(path.join(ROOT, 'out', 'extension.js')) as ExtensionModule;
        extension.activate(context);
    });

    after(async () => {
        await extension.deactivate();
        for (const d of context.subscriptions) {
            d.dispose();
        }
    });

    it('starts the server with the settings as initializationOptions', async () => {
        await waitFor('initialize', () => logged('initialize').length === 1);
        const options = logged('initialize')[0]?.params?.initializationOptions as Record<string, unknown>;
        assert.deepEqual(options.suggestions, { count: 5 });
        assert.deepEqual(options.policy, { backend: null, model: null, endpoint: null });
        assert.deepEqual(options.serverArgs, [path.join(__dirname, 'stubServer.js')]);
        await waitFor('ready status', () => rec.statusTexts.at(-1) === '$(check) leanstep');
        await waitFor('didOpen', () => logged('textDocument/didOpen').length === 1);
        assert.deepEqual(
            [...rec.commands.keys()].filter((c) => c.startsWith('leanstep.')).sort(),
            ['leanstep.proveSorry', 'leanstep.restartServer', 'leanstep.showOutput', 'leanstep.sketchLemmas', 'leanstep.suggestTactics'],
        );
    });

    it('suggests tactics in ranked order and inserts the chosen one', async () => {
        const doc = rec.documents[0] as FakeDocument;
        rec.pick = (items) => items.find((i) => i.label.includes('exact'));
        await command('leanstep.suggestTactics')(target(doc, 1, 4));
        const params = logged('leanstep/suggestTactics').at(-1)?.params;
        assert.deepEqual(params, { textDocument: { uri: 'file:///proj/Foo.lean' }, position: { line: 1, character: 4 }, n: 5 });
        const labels = (rec.quickPicks.at(-1) ?? []).map((i: QuickPickItemLike) => i.label);
        assert.deepEqual(labels, ['$(pass-filled) exact ⟨hp, hq⟩', '$(arrow-right) constructor', 'Rejected by Lean', '$(error) simp']);
        assert.equal(doc.text, 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  exact ⟨hp, hq⟩\n');
        assert.ok(rec.statusTexts.includes('$(sync~spin) leanstep'), 'the status bar showed the request in flight');
        assert.equal(rec.statusTexts.at(-1), '$(check) leanstep');
    });

    it("relays Lean's goal from the Lean 4 extension", async () => {
        const leanRequests: string[] = [];
        const leanClient = {
            sendRequest: (method: string, params: { position?: Position }): Promise<unknown> => {
                leanRequests.push(method);
                if (method === '$/lean/plainGoal') {
                    assert.deepEqual(params.position, { line: 1, character: 2 });
                    return Promise.resolve({ rendered: '…', goals: ['hp : p\n⊢ p', 'hq : q\n⊢ q'] });
                }
                return Promise.resolve({});
            },
        };
        rec.extensions['leanprover.lean4'] = {
            isActive: true,
            exports: {
                lean4EnabledFeatures: Promise.resolve({
                    clientProvider: {
                        // Like vscode-lean4: the argument is its ExtUri, with `isInFolder`.
                        findClient: (uri: { isInFolder(folder: { fsPath: string }): boolean }) =>
                            uri.isInFolder({ fsPath: '/proj' }) ? leanClient : undefined,
                    },
                }),
            },
        };
        const doc = open('Goal.lean', PROOF);
        rec.pick = () => undefined;
        await command('leanstep.suggestTactics')(target(doc, 1, 2));
        assert.deepEqual(leanRequests, ['textDocument/waitForDiagnostics', '$/lean/plainGoal']);
        assert.equal(logged('leanstep/suggestTactics').at(-1)?.params?.goal, 'hp : p\n⊢ p\n\nhq : q\n⊢ q');
        assert.equal(doc.text, PROOF, 'dismissing the quick pick inserts nothing');
        delete rec.extensions['leanprover.lean4'];
    });

    it('proves a sorry with work-done progress and applies the verified edit', async () => {
        const doc = open('Prove.lean', PROOF);
        await command('leanstep.proveSorry')(target(doc, 1, 2));
        const params = logged('leanstep/searchProof').at(-1)?.params;
        assert.match(String(params?.workDoneToken), /^leanstep-search-/);
        assert.deepEqual(rec.progress.slice(-2), [
            { message: undefined, increment: 0 },
            { message: '10 expansions', increment: 40 },
        ]);
        assert.equal(doc.text, 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  all_goals assumption\n');
        assert.deepEqual(rec.shown.at(-1), { kind: 'info', text: 'leanstep: Proved in 2 steps.', items: [] });
    });

    it('cancels a proof search from the progress notification', async () => {
        const doc = open('Slow.lean', PROOF);
        rec.cancelProgressAfterMs = 200;
        const started = Date.now();
        await command('leanstep.proveSorry')(target(doc, 1, 2));
        assert.ok(Date.now() - started < 3000, 'the command returns once cancelled');
        await waitFor('$/cancelRequest at the server', () => logged('cancelled').length === 1);
        assert.equal(doc.text, PROOF);
    });

    it('refuses a server edit that touches another file', async () => {
        const doc = open('Sketch.lean', PROOF);
        rec.shown = [];
        await command('leanstep.sketchLemmas')(target(doc, 1, 2));
        assert.match(rec.shown.at(-1)?.text ?? '', /not applied, because it changes other files/);
        assert.deepEqual(rec.shown.at(-1)?.items, ['Copy']);
        assert.equal(doc.text, PROOF);
    });

    it('shows checked ghost text that extends the typed prefix, asking the server once per line', async () => {
        const doc = open('Inline.lean', 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  con');
        const provider = rec.inlineProviders[0];
        assert.ok(provider);
        const token = new CancellationTokenSource().token;
        const before = logged('leanstep/suggestTactics').length;
        const first = await provider.provideInlineCompletionItems(doc, new Position(1, 5), { triggerKind: 1, selectedCompletionInfo: undefined }, token);
        assert.equal(first?.[0]?.insertText, 'constructor');
        assert.deepEqual(first[0].range, new Range(1, 2, 1, 5));
        assert.deepEqual(logged('leanstep/suggestTactics').at(-1)?.params?.position, { line: 1, character: 2 });
        doc.replace(new Range(1, 2, 1, 5), 'exa');
        const second = await provider.provideInlineCompletionItems(doc, new Position(1, 5), { triggerKind: 1, selectedCompletionInfo: undefined }, token);
        assert.equal(second?.[0]?.insertText, 'exact ⟨hp, hq⟩');
        doc.replace(new Range(1, 2, 1, 5), 'sim');
        const failed = await provider.provideInlineCompletionItems(doc, new Position(1, 5), { triggerKind: 1, selectedCompletionInfo: undefined }, token);
        assert.equal(failed, undefined, 'a tactic Lean rejected is never shown');
        assert.equal(logged('leanstep/suggestTactics').length, before + 1);
    });

    it('reports a crash and restarts the server', async () => {
        const doc = open('Crash.lean', PROOF);
        rec.shown = [];
        await command('leanstep.suggestTactics')(target(doc, 1, 2));
        await waitFor('restart warning', () => rec.shown.some((s) => s.text.includes('being restarted')));
        await waitFor('second initialize', () => logged('initialize').length === 2);
        await waitFor('ready status', () => rec.statusTexts.at(-1) === '$(check) leanstep');
    });

    it('shuts the server down on deactivate, using no API the stub lacks', async () => {
        await extension.deactivate();
        await waitFor('exit', () => logged('exit').length >= 1);
        assert.ok(logged('shutdown').length >= 1);
        assert.deepEqual([...rec.missing], []);
    });
});
