/**
 * The leanstep panel beside the editor (like Lean's infoview): goal and hypotheses at the cursor
 * with checked suggestions, following the cursor (debounced), and the proof search in progress or
 * its outcome. The HTML is `pure/panelView.ts`'s; this module feeds it and acts on its messages.
 *
 * Invariants:
 * - At most one suggestion request is in flight; a newer cursor position cancels the older one,
 *   and an answer that was superseded is dropped.
 * - A suggestion is inserted only on the document version it was computed on: its `insertText`,
 *   verbatim (the server indented it), replaces the server's `insert.range`; after any change the
 *   list is fetched again instead.
 * - The cursor is followed only while the panel is visible.
 */

import { randomBytes } from 'node:crypto';
import {
    CancellationTokenSource,
    type Disposable,
    type LogOutputChannel,
    Position,
    Range,
    Selection,
    type TextDocument,
    type TextEditor,
    ViewColumn,
    type WebviewPanel,
    WorkspaceEdit,
    env,
    window,
    workspace,
} from 'vscode';
import type { LeanstepClient } from './client';
import type { GoalRelay } from './goal';
import type { SearchProgressParams, SearchProofResult, SuggestTacticsParams, SuggestTacticsResult } from './protocol';
import { CancelledError } from './pure/async';
import type { Landed } from './pure/landing';
import { errorText } from './pure/leanGoal';
import { type PanelModel, type SuggestView, panelBody, panelShell, parsePanelMessage } from './pure/panelView';
import { isChecked } from './pure/ranking';
import { suggestTacticsRequest } from './requests';
import { allSettings } from './settings';

/** How long the panel waits for Lean's goal before asking the server without it. */
const GOAL_TIMEOUT_MS = 5000;
/** Cursor rest before the panel asks for the new position. */
const FOLLOW_MS = 400;

const IDLE: SuggestView = { kind: 'idle', note: 'Put the cursor in a proof to see its goal and checked tactics.' };

interface Shown {
    document: TextDocument;
    version: number;
    result: SuggestTacticsResult;
    where: string;
}

/** What the panel may do for the search it shows. */
export interface SearchControls {
    cancel(): void;
    retry: (() => void) | undefined;
    proof: string[];
}

export function whereText(document: TextDocument, position: Position): string {
    const name = document.uri.path.split('/').pop() ?? document.uri.toString();
    return `${name}:${position.line + 1}:${position.character + 1}`;
}

export class LeanstepPanel implements Disposable {
    private panel: WebviewPanel | undefined;
    private model: PanelModel = { suggest: IDLE };
    private shown: Shown | undefined;
    private pending: CancellationTokenSource | undefined;
    private followTimer: ReturnType<typeof setTimeout> | undefined;
    private search: (SearchControls & { token: string | undefined }) | undefined;
    private readonly disposables: Disposable[];

    constructor(
        private readonly client: LeanstepClient,
        private readonly goals: GoalRelay,
        private readonly output: LogOutputChannel,
    ) {
        this.disposables = [
            window.onDidChangeTextEditorSelection((e) => {
                this.follow(e.textEditor);
            }),
            client.onSearchProgress((p) => {
                this.progress(p);
            }),
        ];
    }

    /** Opens the panel beside the editor, or reveals it. */
    show(preserveFocus: boolean): void {
        if (this.panel !== undefined) {
            this.panel.reveal(undefined, preserveFocus);
            return;
        }
        const panel = window.createWebviewPanel(
            'leanstep.panel',
            'leanstep',
            { viewColumn: ViewColumn.Beside, preserveFocus },
            { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] },
        );
        this.panel = panel;
        const nonce = randomBytes(16).toString('base64');
        panel.webview.html = panelShell(nonce, panel.webview.cspSource, panelBody(this.model));
        panel.webview.onDidReceiveMessage((raw: unknown) => {
            this.receive(raw);
        });
        panel.onDidDispose(() => {
            this.panel = undefined;
        });
    }

    /** Asks for the goal and checked suggestions at `position` and shows them. */
    async suggestAt(document: TextDocument, position: Position): Promise<void> {
        this.pending?.cancel();
        const source = new CancellationTokenSource();
        this.pending = source;
        const where = whereText(document, position);
        const version = document.version;
        this.setSuggest({ kind: 'loading', where });
        try {
            const goal = await this.goals.goalAt(document, position, GOAL_TIMEOUT_MS, source.token);
            const count = allSettings().suggestions.count;
            const params: SuggestTacticsParams = {
                textDocument: { uri: this.client.protocolUri(document.uri), version },
                position: this.client.protocolPosition(position),
                mode: 'list',
                ...(count !== null ? { n: count } : {}),
                ...(goal.kind === 'goal' ? { goal: goal.text } : {}),
            };
            const result = await this.client.request(suggestTacticsRequest, params, source.token);
            if (this.pending !== source) {
                return;
            }
            this.shown = { document, version: result.version ?? version, result, where };
            this.setSuggest({ kind: 'ready', where, result });
        } catch (e) {
            if (e instanceof CancelledError || this.pending !== source) {
                return;
            }
            this.output.error(`suggestions at ${where}: ${errorText(e)}`);
            this.setSuggest({ kind: 'error', where, message: errorText(e) });
        } finally {
            if (this.pending === source) {
                this.pending = undefined;
            }
            source.dispose();
        }
    }

    /** Shows a search that has started; `controls` serve the panel's Cancel and retry. */
    searchStarted(where: string, budget: number | undefined, token: string | undefined, controls: SearchControls): void {
        this.search = { ...controls, token };
        this.model = { ...this.model, search: { kind: 'running', where, budget, progress: undefined } };
        this.render();
    }

    /** The token of the running search's `leanstep/searchProgress`, once the request has one. */
    searchToken(token: string): void {
        if (this.search !== undefined) {
            this.search.token = token;
        }
    }

    searchFinished(where: string, result: SearchProofResult, landed: Landed | undefined, retry: (() => void) | undefined): void {
        this.search = { cancel: () => undefined, retry, proof: result.proof ?? [], token: undefined };
        this.model = { ...this.model, search: { kind: 'finished', where, result, landed } };
        this.render();
    }

    private progress(p: SearchProgressParams): void {
        const view = this.model.search;
        if (view?.kind !== 'running' || (p.token !== undefined && this.search?.token !== undefined && p.token !== this.search.token)) {
            return;
        }
        this.model = { ...this.model, search: { ...view, progress: p } };
        this.render();
    }

    private follow(editor: TextEditor): void {
        if (this.panel?.visible !== true || editor.document.languageId !== 'lean4') {
            return;
        }
        if (this.followTimer !== undefined) {
            clearTimeout(this.followTimer);
        }
        this.followTimer = setTimeout(() => {
            this.followTimer = undefined;
            void this.suggestAt(editor.document, editor.selection.active);
        }, FOLLOW_MS);
    }

    private receive(raw: unknown): void {
        const message = parsePanelMessage(raw);
        if (message === undefined) {
            this.output.warn(`panel: ignored a message: ${JSON.stringify(raw)}`);
            return;
        }
        switch (message.type) {
            case 'insert':
                void this.insert(message.index).catch((e: unknown) => {
                    this.output.error(`inserting a suggestion: ${errorText(e)}`);
                    void window.showErrorMessage(`leanstep: the suggestion was not inserted: ${errorText(e)}`);
                });
                return;
            case 'cancel':
                this.search?.cancel();
                return;
            case 'retry':
                this.search?.retry?.();
                return;
            case 'copy':
                void env.clipboard.writeText((this.search?.proof ?? []).join('\n'));
                return;
            case 'ready':
                this.render();
                return;
        }
    }

    /** Inserts suggestion `index` of the shown answer, by the invariant in this module's header. */
    private async insert(index: number): Promise<void> {
        const shown = this.shown;
        const suggestion = shown?.result.suggestions[index];
        if (shown === undefined || suggestion === undefined || !isChecked(suggestion)) {
            return;
        }
        const { document, version, result } = shown;
        const plan = result.insert;
        if (plan === null) {
            this.setSuggest({ kind: 'ready', where: shown.where, result, note: 'No place to insert at this cursor.' });
            return;
        }
        const editor = window.visibleTextEditors.find((e) => e.document === document);
        if (document.version !== version) {
            this.setSuggest({ kind: 'ready', where: shown.where, result, note: 'The file changed since these were checked: checking again…' });
            const position = editor?.selection.active;
            if (position !== undefined) {
                await this.suggestAt(document, position);
            }
            return;
        }
        const text = suggestion.insertText;
        const edit = new WorkspaceEdit();
        const start = new Position(plan.range.start.line, plan.range.start.character);
        edit.replace(document.uri, new Range(start, new Position(plan.range.end.line, plan.range.end.character)), text);
        if (document.version !== version || !(await workspace.applyEdit(edit))) {
            this.setSuggest({ kind: 'ready', where: shown.where, result, note: 'Not inserted: the file changed. Move the cursor to check again.' });
            return;
        }
        const lines = text.split('\n');
        const last = lines.at(-1) ?? '';
        const end = lines.length === 1 ? start.translate(0, last.length) : new Position(start.line + lines.length - 1, last.length);
        await window.showTextDocument(document, {
            viewColumn: editor?.viewColumn,
            selection: new Selection(end, end),
            preserveFocus: false,
        });
    }

    private setSuggest(view: SuggestView): void {
        this.model = { ...this.model, suggest: view };
        this.render();
    }

    private render(): void {
        void this.panel?.webview.postMessage({ type: 'render', html: panelBody(this.model) });
    }

    dispose(): void {
        this.pending?.cancel();
        if (this.followTimer !== undefined) {
            clearTimeout(this.followTimer);
        }
        for (const d of this.disposables) {
            d.dispose();
        }
        this.panel?.dispose();
    }
}
