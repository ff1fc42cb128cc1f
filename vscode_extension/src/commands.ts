/**
 * The editor commands: suggest tactics (in the panel), prove a `sorry`, sketch lemmas, show the
 * panel, restart the server, show its output. The first three take an optional target (see
 * `pure/args.ts`) so the server's code actions can invoke them; otherwise they use the cursor.
 *
 * Invariant: an edit from the server lands only on the version it names (`pure/landing.ts`): a
 * proof is placed again by its anchor when the file moved; the user is never asked to apply an
 * edit to another version, and what is withheld is shown with its reason and its text.
 */

import {
    CancellationTokenSource,
    type Disposable,
    type LogOutputChannel,
    Position,
    type TextDocument,
    Uri,
    commands,
    env,
    window,
    workspace,
} from 'vscode';
import type { WorkspaceEdit } from 'vscode-languageclient';
import { type LeanstepClient, ServerNotRunningError } from './client';
import { type LeanstepPanel, whereText } from './panel';
import type { ProofAnchor, SearchProofResult } from './protocol';
import { commandTarget } from './pure/args';
import { CancelledError } from './pure/async';
import { proofText } from './pure/edits';
import { type Landed, landEdit } from './pure/landing';
import { errorText } from './pure/leanGoal';
import { placeProofRequest, searchProofRequest, sketchLemmasRequest } from './requests';
import { allSettings } from './settings';
import { withWorkDone } from './workDone';

interface Target {
    document: TextDocument;
    position: Position;
}

/** The budget a retry asks for, relative to the one that was spent. */
const RETRY_FACTOR = 4;

export class Commands implements Disposable {
    private readonly disposables: Disposable[];

    constructor(
        private readonly client: LeanstepClient,
        private readonly panel: LeanstepPanel,
        private readonly output: LogOutputChannel,
    ) {
        this.disposables = [
            commands.registerCommand('leanstep.suggestTactics', (...args: unknown[]) => this.run(() => this.suggestTactics(args))),
            commands.registerCommand('leanstep.proveSorry', (...args: unknown[]) => this.run(() => this.proveSorry(args))),
            commands.registerCommand('leanstep.sketchLemmas', (...args: unknown[]) => this.run(() => this.sketchLemmas(args))),
            commands.registerCommand('leanstep.showPanel', () => {
                this.panel.show(false);
            }),
            commands.registerCommand('leanstep.restartServer', () => this.run(() => this.client.restart())),
            commands.registerCommand('leanstep.showOutput', () => {
                this.output.show(true);
            }),
        ];
    }

    dispose(): void {
        for (const d of this.disposables) {
            d.dispose();
        }
    }

    /** Every failure of a command ends in one user-visible message. */
    private async run(body: () => Promise<void>): Promise<void> {
        try {
            await body();
        } catch (e) {
            if (e instanceof CancelledError) {
                return;
            }
            this.output.error(`command failed: ${errorText(e)}`);
            if (e instanceof ServerNotRunningError) {
                const choice = await window.showErrorMessage('The leanstep server is not running.', 'Restart');
                if (choice === 'Restart') {
                    await this.client.restart();
                }
                return;
            }
            void window.showErrorMessage(`leanstep: ${errorText(e)}`);
        }
    }

    private async target(args: readonly unknown[]): Promise<Target | undefined> {
        const fromArgs = commandTarget(args);
        if (fromArgs !== undefined) {
            const document = await workspace.openTextDocument(Uri.parse(fromArgs.uri));
            return { document, position: new Position(fromArgs.position.line, fromArgs.position.character) };
        }
        const editor = window.activeTextEditor;
        if (editor === undefined || editor.document.languageId !== 'lean4') {
            void window.showWarningMessage('leanstep: open a Lean file and put the cursor in a proof.');
            return undefined;
        }
        return { document: editor.document, position: editor.selection.active };
    }

    private async suggestTactics(args: readonly unknown[]): Promise<void> {
        const target = await this.target(args);
        if (target === undefined) {
            return;
        }
        this.panel.show(true);
        await this.panel.suggestAt(target.document, target.position);
    }

    private async proveSorry(args: readonly unknown[], expansions?: number): Promise<void> {
        const target = await this.target(args);
        if (target === undefined) {
            return;
        }
        const { document, position } = target;
        const where = whereText(document, position);
        const budget = expansions ?? allSettings().search.expansions ?? undefined;
        const cancel = new CancellationTokenSource();
        this.panel.show(true);
        this.panel.searchStarted(where, budget, undefined, {
            cancel: () => {
                cancel.cancel();
            },
            retry: undefined,
            proof: [],
        });
        let result: SearchProofResult | undefined;
        try {
            result = await withWorkDone(
                this.client,
                'leanstep: searching for a proof',
                'search',
                (workDoneToken, token) => {
                    this.panel.searchToken(workDoneToken);
                    return this.client.request(
                        searchProofRequest,
                        {
                            textDocument: { uri: this.client.protocolUri(document.uri), version: document.version },
                            position: this.client.protocolPosition(position),
                            ...(budget !== undefined ? { expansions: budget } : {}),
                            workDoneToken,
                        },
                        token,
                    );
                },
                cancel.token,
            );
        } catch (e) {
            this.panel.searchFinished(where, { proved: false, status: 'refused', message: errorText(e) }, undefined, undefined);
            throw e;
        } finally {
            cancel.dispose();
        }
        result ??= { proved: false, status: 'cancelled', message: 'Search cancelled.' };
        const spent = result.stats?.budget ?? budget;
        const retry =
            spent !== undefined && !result.proved && result.status !== 'cancelled' && result.status !== 'refused'
                ? (): void => void this.run(() => this.proveSorry([{ textDocument: { uri: document.uri.toString() }, position }], spent * RETRY_FACTOR))
                : undefined;
        const landed =
            result.proved || result.status === 'withheld'
                ? await this.land(document, result.edit, result.message, result.anchor, result.proof)
                : undefined;
        this.panel.searchFinished(where, result, landed, retry);
        await this.report(result, landed, retry);
    }

    /** The outcome in a notification (the panel has the details). */
    private async report(result: SearchProofResult, landed: Landed | undefined, retry: (() => void) | undefined): Promise<void> {
        if (landed?.kind === 'placed') {
            void window.showInformationMessage(`leanstep: ${landed.message}`);
            return;
        }
        if (landed !== undefined) {
            const proof = proofText(result.proof);
            this.output.info(`proof withheld: ${landed.message}${proof !== '' ? `\n${proof}` : ''}`);
            const copy = proof !== '' ? ['Copy proof'] : [];
            if ((await window.showWarningMessage(`leanstep: ${landed.message}`, ...copy)) === 'Copy proof') {
                await env.clipboard.writeText(proof);
            }
            return;
        }
        if (result.status === 'cancelled') {
            return;
        }
        const again = `Try again with ${RETRY_FACTOR}× budget`;
        const hint = result.hint !== undefined ? ` (${result.hint})` : '';
        const choice = await window.showWarningMessage(`leanstep: ${result.message}${hint}`, ...(retry ? [again] : []));
        if (choice === again) {
            retry?.();
        }
    }

    /** Lands a server edit on `document` (see `pure/landing.ts`); placeProof needs an anchor. */
    private land(
        document: TextDocument,
        edit: WorkspaceEdit | undefined,
        message: string,
        anchor: ProofAnchor | undefined,
        proof: string[] | undefined,
    ): Promise<Landed> {
        const uri = this.client.protocolUri(document.uri);
        return landEdit(uri, edit, message, {
            version: () => document.version,
            apply: async (e, version) => {
                const converted = await this.client.asWorkspaceEdit(e);
                return converted !== undefined && document.version === version && !document.isClosed && (await workspace.applyEdit(converted));
            },
            place: () =>
                anchor !== undefined && proof !== undefined && !document.isClosed
                    ? this.client.request(placeProofRequest, { textDocument: { uri, version: document.version }, anchor, proof })
                    : undefined,
        });
    }

    private async sketchLemmas(args: readonly unknown[]): Promise<void> {
        const target = await this.target(args);
        if (target === undefined) {
            return;
        }
        const { document, position } = target;
        const result = await withWorkDone(this.client, 'leanstep: sketching lemmas', 'sketch', (workDoneToken, token) =>
            this.client.request(
                sketchLemmasRequest,
                {
                    textDocument: { uri: this.client.protocolUri(document.uri), version: document.version },
                    position: this.client.protocolPosition(position),
                    workDoneToken,
                },
                token,
            ),
        );
        if (result === undefined) {
            return;
        }
        const rejected = result.rejected ?? [];
        if (rejected.length > 0) {
            this.output.info(`sketch: plans rejected:\n${rejected.map((r) => `  ${r}`).join('\n')}`);
        }
        if (result.status !== 'sketched') {
            const why = rejected.length > 0 ? ` First: ${rejected[0] ?? ''}` : '';
            const choice = await window.showWarningMessage(`leanstep: ${result.message}${why}`, ...(rejected.length > 1 ? ['Show all'] : []));
            if (choice === 'Show all') {
                this.output.show(true);
            }
            return;
        }
        const landed = await this.land(document, result.edit, result.message, undefined, undefined);
        if (landed.kind === 'placed') {
            void window.showInformationMessage(`leanstep: ${landed.message}`);
            return;
        }
        const skeleton = result.skeleton ?? '';
        const copy = skeleton !== '' ? ['Copy'] : [];
        if ((await window.showWarningMessage(`leanstep: ${landed.message}`, ...copy)) === 'Copy') {
            await env.clipboard.writeText(skeleton);
        }
    }
}
