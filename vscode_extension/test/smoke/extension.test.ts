/**
 * Smoke test of the bundled extension (out/extension.js, so `npm run build` first) with the real
 * vscode-languageclient, a stand-in `vscode` module and a stub server process (contract v2):
 * activation, the status from `leanstep/status`, the panel (suggestions, insertion, a search with
 * its progress), anchored edits (a proof arriving after an edit is placed again), cancellation,
 * the goal relay, ghost text, a crash and restart, and shutdown.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, FakeDocument, type FakePanel, Position, Range, Recorder, createVscode } from './vscodeStub';

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
    const doc = new FakeDocument(`file:///proj/${name}`, text, rec.docChanged);
    rec.documents.push(doc);
    rec.docOpened.fire(doc);
    return doc;
}

const PROOF = 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n';
const PROVED = 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  · exact hp\n  · exact hq\n';

function panel(): FakePanel {
    const p = rec.panels.at(-1);
    assert.ok(p, 'the panel is open');
    return p;
}
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
        assert.deepEqual(options.policy, { backend: null, model: null, endpoint: null, device: null, temperature: null });
        assert.deepEqual(options.serverArgs, [path.join(__dirname, 'stubServer.js')]);
        await waitFor('ready status', () => rec.statusTexts.at(-1) === '$(check) leanstep');
        await waitFor('didOpen', () => logged('textDocument/didOpen').length === 1);
        assert.deepEqual(
            [...rec.commands.keys()].filter((c) => c.startsWith('leanstep.')).sort(),
            [
                'leanstep.openConfig',
                'leanstep.proveSorry',
                'leanstep.restartServer',
                'leanstep.showOutput',
                'leanstep.showPanel',
                'leanstep.showStatus',
                'leanstep.sketchLemmas',
                'leanstep.suggestTactics',
            ],
        );
        assert.ok(rec.statusTexts.includes('$(loading~spin) leanstep: loading model'), rec.statusTexts.join(' | '));
    });

    it('shows a configuration error in plain words with its two buttons, and recovers', async () => {
        rec.shown = [];
        rec.config['leanstep.policy.model'] = '/missing';
        rec.configChanged.fire({ affectsConfiguration: (key: string) => key === 'leanstep' || key === 'leanstep.policy.model' });
        await waitFor('error status', () => rec.statusTexts.at(-1) === '$(error) leanstep');
        await waitFor('error message', () => rec.shown.length > 0);
        assert.deepEqual(rec.shown.at(-1), {
            kind: 'error',
            text: 'leanstep: model directory not found: /missing (policy.model in settings)',
            items: ['Open leanstep.toml', 'Show log', 'Restart'],
        });
        delete rec.config['leanstep.policy.model'];
        rec.configChanged.fire({ affectsConfiguration: (key: string) => key === 'leanstep' });
        await waitFor('ready again', () => rec.statusTexts.at(-1) === '$(check) leanstep');
    });

    it('shows checked suggestions in the panel and inserts the chosen one at the planned range', async () => {
        const doc = rec.documents[0] as FakeDocument;
        await command('leanstep.suggestTactics')(target(doc, 1, 4));
        const params = logged('leanstep/suggestTactics').at(-1)?.params;
        assert.deepEqual(params, {
            textDocument: { uri: 'file:///proj/Foo.lean', version: 1 },
            position: { line: 1, character: 4 },
            mode: 'list',
            n: 5,
        });
        const body = panel().body;
        assert.ok(body.includes('<b>⊢ p ∧ q</b>'), body);
        assert.ok(body.includes('5 sampled: 1 proves the goal'), body);
        assert.ok(body.indexOf('data-insert="0"') < body.indexOf('data-insert="1"'), 'proved before advanced');
        assert.ok(!body.includes('data-insert="2"'), 'a rejected tactic is not insertable');
        assert.ok(body.includes('Rejected by Lean (1)') && body.includes('simp made no progress'));
        panel().send({ type: 'insert', index: 1 });
        await waitFor('insertion', () => doc.text !== PROOF);
        assert.equal(doc.text, 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  · sorry\n  · sorry\n');
        assert.ok(rec.statusTexts.includes('$(sync~spin) leanstep'), 'the status bar showed the request in flight');
        assert.equal(rec.statusTexts.at(-1), '$(check) leanstep');
    });

    it('does not insert a suggestion into a later version of the file', async () => {
        const doc = open('Stale.lean', PROOF);
        await command('leanstep.suggestTactics')(target(doc, 1, 4));
        doc.replace(new Range(0, 0, 0, 0), '-- a comment\n');
        const before = doc.text;
        const asked = logged('leanstep/suggestTactics').length;
        panel().send({ type: 'insert', index: 0 });
        await waitFor('the note', () => panel().body.includes('The file changed since these were checked'));
        assert.equal(doc.text, before);
        assert.equal(logged('leanstep/suggestTactics').length, asked, 'no editor cursor here, so no new request');
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
        await command('leanstep.suggestTactics')(target(doc, 1, 2));
        assert.deepEqual(leanRequests, ['textDocument/waitForDiagnostics', '$/lean/plainGoal']);
        assert.equal(logged('leanstep/suggestTactics').at(-1)?.params?.goal, 'hp : p\n⊢ p\n\nhq : q\n⊢ q');
        assert.equal(doc.text, PROOF, 'showing suggestions inserts nothing');
        delete rec.extensions['leanprover.lean4'];
    });

    it('proves a sorry with work-done progress, shows the search in the panel and applies the versioned edit', async () => {
        const doc = open('Prove.lean', PROOF);
        await command('leanstep.proveSorry')(target(doc, 1, 2));
        const params = logged('leanstep/searchProof').at(-1)?.params;
        assert.match(String(params?.workDoneToken), /^leanstep-search-/);
        assert.deepEqual(rec.progress.slice(-2), [
            { message: undefined, increment: 0 },
            { message: '10/40 expansions · 0.5 s · best depth 1', increment: 25 },
        ]);
        assert.equal(doc.text, PROVED);
        assert.deepEqual(rec.shown.at(-1), { kind: 'info', text: 'leanstep: Proved in 3 steps and verified.', items: [] });
        assert.equal(logged('leanstep/placeProof').length, 0);
        const body = panel().body;
        assert.ok(body.includes('✓ Proved in 3 steps and verified.') && body.includes('12/40 expansions'), body);
    });

    it('places a proof again when the file changed while it arrived, never asking', async () => {
        const doc = open('Late.lean', PROOF);
        rec.shown = [];
        const running = command('leanstep.proveSorry')(target(doc, 1, 2));
        await waitFor('the search', () => logged('leanstep/searchProof').some((m) => JSON.stringify(m.params).includes('Late.lean')));
        await waitFor('the running search in the panel', () => panel().body.includes('10/40 expansions · 0.5 s · best depth 1'));
        assert.ok(panel().body.includes('data-action="cancel"') && panel().body.includes('<pre class="proof">constructor</pre>'));
        doc.replace(new Range(0, 0, 0, 0), '-- one\n-- two\n');
        await running;
        assert.equal(logged('leanstep/placeProof').length, 1);
        assert.deepEqual(logged('leanstep/placeProof')[0]?.params, {
            textDocument: { uri: 'file:///proj/Late.lean', version: 2 },
            anchor: { declaration: 't', sorry: 0 },
            proof: ['constructor', '· exact hp', '· exact hq'],
        });
        assert.equal(doc.text, `-- one\n-- two\n${PROVED}`);
        assert.ok(!rec.shown.some((m) => m.items.includes('Apply')), 'no "apply anyway" dialog');
        assert.deepEqual(rec.shown.at(-1), { kind: 'info', text: 'leanstep: Proved in 3 steps and verified (placed again).', items: [] });
    });

    it('says why a search failed and retries with 4× budget', async () => {
        const doc = open('Hard.lean', PROOF);
        rec.answer = (shown) => (shown.items.includes('Try again with 4× budget') && rec.shown.length === 1 ? 'Try again with 4× budget' : undefined);
        rec.shown = [];
        await command('leanstep.proveSorry')(target(doc, 1, 2));
        await waitFor('the retry', () => logged('leanstep/searchProof').filter((m) => JSON.stringify(m.params).includes('Hard.lean')).length === 2);
        assert.equal(rec.shown[0]?.text, 'leanstep: no proof within 40 expansions (try again with 4× budget (160 expansions))');
        assert.equal(logged('leanstep/searchProof').at(-1)?.params?.expansions, 160);
        await waitFor('the panel', () => panel().body.includes('data-action="retry"'));
        rec.answer = () => undefined;
        assert.equal(doc.text, PROOF);
    });

    it('cancels a proof search from the progress notification', async () => {
        const doc = open('Slow.lean', PROOF);
        rec.cancelProgressAfterMs = 200;
        const started = Date.now();
        await command('leanstep.proveSorry')(target(doc, 1, 2));
        assert.ok(Date.now() - started < 3000, 'the command returns once cancelled');
        await waitFor('$/cancelRequest at the server', () => logged('cancelled').length === 1);
        assert.equal(doc.text, PROOF);
        assert.ok(panel().body.includes('Search cancelled.'));
    });

    it('refuses a server edit that touches another file', async () => {
        const doc = open('Sketch.lean', PROOF);
        rec.shown = [];
        await command('leanstep.sketchLemmas')(target(doc, 1, 2));
        assert.match(rec.shown.at(-1)?.text ?? '', /not applied, because it changes other files/);
        assert.equal(rec.shown.at(-1)?.kind, 'warning');
        assert.deepEqual(rec.shown.at(-1)?.items, ['Copy']);
        assert.equal(doc.text, PROOF);
    });

    it('shows checked ghost text, cached by version and position', async () => {
        const doc = open('Inline.lean', 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  con');
        const provider = rec.inlineProviders[0];
        assert.ok(provider);
        const token = new CancellationTokenSource().token;
        const context = { triggerKind: 1, selectedCompletionInfo: undefined };
        const before = logged('leanstep/suggestTactics').length;
        const first = await provider.provideInlineCompletionItems(doc, new Position(1, 5), context, token);
        assert.equal(first?.[0]?.insertText, 'constructor');
        assert.deepEqual(first[0].range, new Range(1, 2, 1, 5));
        assert.deepEqual(logged('leanstep/suggestTactics').at(-1)?.params, {
            textDocument: { uri: 'file:///proj/Inline.lean', version: 1 },
            position: { line: 1, character: 5 },
            mode: 'inline',
            n: 5,
        });
        const again = await provider.provideInlineCompletionItems(doc, new Position(1, 5), context, token);
        assert.equal(again?.[0]?.insertText, 'constructor');
        assert.equal(logged('leanstep/suggestTactics').length, before + 1, 'the same version and position: cached');
        doc.replace(new Range(1, 2, 1, 5), 'exa');
        const second = await provider.provideInlineCompletionItems(doc, new Position(1, 5), context, token);
        assert.equal(second?.[0]?.insertText, 'exact ⟨hp, hq⟩');
        assert.equal(logged('leanstep/suggestTactics').length, before + 2, 'a new version: asked again');
        doc.replace(new Range(1, 2, 1, 5), 'sim');
        const failed = await provider.provideInlineCompletionItems(doc, new Position(1, 5), context, token);
        assert.equal(failed, undefined, 'a tactic Lean rejected is never shown');
    });

    it('indents ghost text after `:= by` and Enter', async () => {
        const doc = open('Enter.lean', 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n');
        const provider = rec.inlineProviders[0];
        assert.ok(provider);
        const items = await provider.provideInlineCompletionItems(doc, new Position(1, 0), { triggerKind: 1, selectedCompletionInfo: undefined }, new CancellationTokenSource().token);
        assert.equal(items?.[0]?.insertText, '  exact ⟨hp, hq⟩');
        assert.equal(rec.statusMessages.at(-1), '$(check) leanstep: `exact ⟨hp, hq⟩` closes the goal (Tab)');
    });

    it('reports a crash and restarts the server', async () => {
        const doc = open('Crash.lean', PROOF);
        rec.shown = [];
        await command('leanstep.suggestTactics')(target(doc, 1, 2));
        await waitFor('restart warning', () => rec.shown.some((s) => s.text.includes('being restarted')));
        await waitFor('second initialize', () => logged('initialize').length === 2);
        await waitFor('ready status', () => rec.statusTexts.at(-1) === '$(check) leanstep');
    });

    it('restarts quietly: a normal exit is no error in the log', async () => {
        const exits = logged('exit').length;
        await command('leanstep.restartServer')();
        await waitFor('exit', () => logged('exit').length === exits + 1);
        await waitFor('ready status', () => rec.statusTexts.at(-1) === '$(check) leanstep');
        await new Promise((r) => setTimeout(r, 200)); // (the process exit is reported after the exit notification)
        assert.ok(rec.log.some((l) => l.includes('exited with code 3')), 'a crash is still reported');
        assert.deepEqual(
            rec.log.filter((l) => l.includes('exited with code 0')),
            [],
        );
    });

    it('logs no protocol traffic with leanstep.trace.server off', () => {
        assert.deepEqual(
            rec.log.filter((l) => l.includes('Sending request') || l.includes('Received response') || l.includes('"jsonrpc"')),
            [],
        );
    });

    it('shuts the server down on deactivate, using no API the stub lacks', async () => {
        await extension.deactivate();
        await waitFor('exit', () => logged('exit').length >= 1);
        assert.ok(logged('shutdown').length >= 1);
        assert.deepEqual([...rec.missing], []);
    });
});
