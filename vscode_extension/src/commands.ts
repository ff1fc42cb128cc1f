/**
 * The editor commands: suggest tactics (quick pick, then insert), prove a `sorry`, sketch lemmas,
 * restart the server, show its output. The first three take an optional target (see
 * `pure/args.ts`) so the server's code actions can invoke them; otherwise they use the cursor.
 *
 * Invariant: an edit from the server is applied only to the document it was computed for, only if
 * it touches no other file, and (unless the user agrees) only if the document did not change
 * while the server worked.
 */

import {
    type Disposable,
    type LogOutputChannel,
    Position,
    ProgressLocation,
    type QuickPickItem,
    QuickPickItemKind,
    Range,
    type TextDocument,
    Uri,
    commands,
    env,
    window,
    workspace,
} from 'vscode';
import type { WorkspaceEdit } from 'vscode-languageclient';
import { type LeanstepClient, ServerNotRunningError } from './client';
import type { GoalRelay } from './goal';
import type { SuggestTacticsParams, TacticSuggestion } from './protocol';
import { commandTarget } from './pure/args';
import { CancelledError } from './pure/async';
import { editProblem, proofText } from './pure/edits';
import { planInsertion } from './pure/indent';
import { errorText } from './pure/leanGoal';
import { describeSuggestion, goalTarget, isChecked, rankSuggestions, truncate } from './pure/ranking';
import { searchProofRequest, sketchLemmasRequest, suggestTacticsRequest } from './requests';
import * as settings from './settings';
import { withWorkDone } from './workDone';

/** How long a command waits for Lean's goal before asking the server without it. */
const COMMAND_GOAL_TIMEOUT_MS = 5000;

interface Target {
    document: TextDocument;
    position: Position;
}

interface SuggestionItem extends QuickPickItem {
    suggestion?: TacticSuggestion;
}

export class Commands implements Disposable {
    private readonly disposables: Disposable[];

    constructor(
        private readonly client: LeanstepClient,
        private readonly goals: GoalRelay,
        private readonly output: LogOutputChannel,
    ) {
        this.disposables = [
            commands.registerCommand('leanstep.suggestTactics', (...args: unknown[]) => this.run(() => this.suggestTactics(args))),
            commands.registerCommand('leanstep.proveSorry', (...args: unknown[]) => this.run(() => this.proveSorry(args))),
            commands.registerCommand('leanstep.sketchLemmas', (...args: unknown[]) => this.run(() => this.sketchLemmas(args))),
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
        const { document, position } = target;
        const version = document.version;
        const result = await window.withProgress(
            { location: ProgressLocation.Notification, title: 'leanstep: checking tactics in Lean…', cancellable: true },
            async (_progress, token) => {
                const goal = await this.goals.goalAt(document, position, COMMAND_GOAL_TIMEOUT_MS, token);
                const count = settings.suggestionsCount();
                const params: SuggestTacticsParams = {
                    textDocument: { uri: this.client.protocolUri(document.uri) },
                    position: this.client.protocolPosition(position),
                    ...(count !== null ? { n: count } : {}),
                    ...(goal.kind === 'goal' ? { goal: goal.text } : {}),
                };
                return this.client.request(suggestTacticsRequest, params, token);
            },
        );
        const ranked = rankSuggestions(result.suggestions);
        if (ranked.length === 0) {
            void window.showInformationMessage(
                result.goal === null ? 'leanstep: no goal at the cursor.' : 'leanstep: no suggestions for this goal.',
            );
            return;
        }
        const picked = await window.showQuickPick(suggestionItems(ranked), {
            title: result.goal === null ? 'leanstep: tactics' : `leanstep: ${truncate(goalTarget(result.goal), 120)}`,
            placeHolder: 'Choose a tactic to insert (each was run in Lean)',
            matchOnDescription: true,
            matchOnDetail: true,
        });
        const suggestion = picked?.suggestion;
        if (suggestion === undefined) {
            return;
        }
        if (!isChecked(suggestion)) {
            void window.showWarningMessage(`leanstep: Lean rejected \`${suggestion.tactic}\`; not inserted.`);
            return;
        }
        if (document.version !== version) {
            void window.showWarningMessage('leanstep: the file changed while checking; run the command again.');
            return;
        }
        const editor = await window.showTextDocument(document);
        const plan = planInsertion(
            { lineCount: document.lineCount, lineAt: (i) => document.lineAt(i).text },
            position.line,
            position.character,
            suggestion,
        );
        await editor.edit((b) => {
            b.replace(new Range(plan.line, plan.start, plan.line, plan.end), plan.text);
        });
    }

    private async proveSorry(args: readonly unknown[]): Promise<void> {
        const target = await this.target(args);
        if (target === undefined) {
            return;
        }
        const { document, position } = target;
        const version = document.version;
        const expansions = settings.searchExpansions();
        const result = await withWorkDone(this.client, 'leanstep: searching for a proof', 'search', (workDoneToken, token) =>
            this.client.request(
                searchProofRequest,
                {
                    textDocument: { uri: this.client.protocolUri(document.uri) },
                    position: this.client.protocolPosition(position),
                    ...(expansions !== null ? { expansions } : {}),
                    workDoneToken,
                },
                token,
            ),
        );
        if (result === undefined) {
            return;
        }
        if (!result.proved) {
            void window.showWarningMessage(`leanstep: ${result.message}`);
            return;
        }
        const copyable = proofText(result.proof);
        await this.applyServerEdit(document, version, result.edit, result.message, copyable);
    }

    private async sketchLemmas(args: readonly unknown[]): Promise<void> {
        const target = await this.target(args);
        if (target === undefined) {
            return;
        }
        const { document, position } = target;
        const version = document.version;
        const result = await withWorkDone(this.client, 'leanstep: sketching lemmas', 'sketch', (workDoneToken, token) =>
            this.client.request(
                sketchLemmasRequest,
                {
                    textDocument: { uri: this.client.protocolUri(document.uri) },
                    position: this.client.protocolPosition(position),
                    workDoneToken,
                },
                token,
            ),
        );
        if (result === undefined) {
            return;
        }
        await this.applyServerEdit(document, version, result.edit, result.message, result.skeleton ?? '');
    }

    /** Applies a verified edit under the invariant in this module's header; offers a copy otherwise. */
    private async applyServerEdit(
        document: TextDocument,
        version: number,
        edit: WorkspaceEdit | undefined,
        message: string,
        copyable: string,
    ): Promise<void> {
        const copy = copyable !== '' ? ['Copy'] : [];
        if (edit === undefined) {
            await this.offerCopy(window.showInformationMessage(`leanstep: ${message}`, ...copy), copyable);
            return;
        }
        const problem = editProblem(edit, this.client.protocolUri(document.uri));
        if (problem !== undefined) {
            this.output.warn(`refused a server edit: ${problem}: ${JSON.stringify(edit)}`);
            await this.offerCopy(window.showErrorMessage(`leanstep: not applied, because ${problem}.`, ...copy), copyable);
            return;
        }
        if (document.version !== version) {
            const choice = await window.showWarningMessage(
                'leanstep: the file changed while the server worked. Apply the result anyway?',
                'Apply',
                ...copy,
            );
            if (choice !== 'Apply') {
                await this.offerCopy(Promise.resolve(choice), copyable);
                return;
            }
        }
        const converted = await this.client.asWorkspaceEdit(edit);
        if (converted === undefined || !(await workspace.applyEdit(converted))) {
            await this.offerCopy(window.showErrorMessage('leanstep: the edit could not be applied.', ...copy), copyable);
            return;
        }
        void window.showInformationMessage(`leanstep: ${message}`);
    }

    private async offerCopy(choice: Thenable<string | undefined>, text: string): Promise<void> {
        if ((await choice) === 'Copy') {
            await env.clipboard.writeText(text);
        }
    }
}

/** Checked suggestions first (ranked); then, under a separator, those Lean rejected. */
function suggestionItems(ranked: readonly TacticSuggestion[]): SuggestionItem[] {
    const toItem = (s: TacticSuggestion): SuggestionItem => ({ ...describeSuggestion(s), suggestion: s });
    const checked = ranked.filter(isChecked).map(toItem);
    const failed = ranked.filter((s) => !isChecked(s)).map(toItem);
    return failed.length === 0
        ? checked
        : [...checked, { label: 'Rejected by Lean', kind: QuickPickItemKind.Separator }, ...failed];
}
