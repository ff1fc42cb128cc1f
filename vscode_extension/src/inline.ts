/**
 * Ghost text for the next tactic: an `InlineCompletionItemProvider` for `lean4` that calls
 * `leanstep/suggestTactics` (mode "inline": the server filters by the half-typed prefix) with
 * Lean's relayed goal and shows the best checked suggestion that extends what is typed.
 *
 * Invariants:
 * - Answers are cached by (document, version, position); an answer with a null goal is never
 *   cached, so a request made before Lean is ready is asked again.
 * - At most one server request is in flight; it is cancelled when a request for another key starts
 *   or on dispose. A provider call whose own token is cancelled stops waiting at once.
 * - On a line with nothing typed, the text is indented to the block (after `:= by`, by's line
 *   indentation + 2), never left at column 0.
 * - Only "proved"/"advanced" suggestions are shown; while a "proved" one is shown, the status bar
 *   marks it ✓ (until the next edit or cursor move).
 */

import {
    CancellationTokenSource,
    type CancellationToken,
    type Disposable,
    type InlineCompletionContext,
    InlineCompletionItem,
    type InlineCompletionItemProvider,
    InlineCompletionTriggerKind,
    type LogOutputChannel,
    type Position,
    Range,
    type TextDocument,
    languages,
    window,
    workspace,
} from 'vscode';
import type { LeanstepClient } from './client';
import type { GoalRelay } from './goal';
import type { SuggestTacticsParams, TacticSuggestion } from './protocol';
import { CancelledError, raceCancellation, sleep } from './pure/async';
import { blockIndent } from './pure/indent';
import { InlineCache, inlineInsertion, inlineKey, typedPrefix } from './pure/inlineText';
import { errorText } from './pure/leanGoal';
import { rankSuggestions } from './pure/ranking';
import { suggestTacticsRequest } from './requests';
import { allSettings } from './settings';

/** How long ghost text waits for Lean's goal before asking the server without it. */
const INLINE_GOAL_TIMEOUT_MS = 1500;

interface Pending {
    key: string;
    source: CancellationTokenSource;
    suggestions: Promise<readonly TacticSuggestion[]>;
}

export class InlineSuggestions implements InlineCompletionItemProvider, Disposable {
    private readonly disposables: { dispose(): unknown }[];
    private readonly cache = new InlineCache<readonly TacticSuggestion[]>();
    private closesMark: { uri: string; message: Disposable } | undefined;
    private pending: Pending | undefined;

    constructor(
        private readonly client: LeanstepClient,
        private readonly goals: GoalRelay,
        private readonly log: LogOutputChannel,
    ) {
        this.disposables = [
            languages.registerInlineCompletionItemProvider({ language: 'lean4' }, this),
            // (only edits of the marked document: the output channel is a document that changes
            // as we log, and a change of the dirty state alone comes with no content change)
            workspace.onDidChangeTextDocument((e) => {
                if (e.contentChanges.length > 0) {
                    this.clearMark(e.document.uri.toString());
                }
            }),
            window.onDidChangeTextEditorSelection((e) => {
                this.clearMark(e.textEditor.document.uri.toString());
            }),
        ];
    }

    async provideInlineCompletionItems(
        document: TextDocument,
        position: Position,
        context: InlineCompletionContext,
        token: CancellationToken,
    ): Promise<InlineCompletionItem[] | undefined> {
        const settings = allSettings();
        if (!settings.inline.enabled || !this.client.isRunning() || context.selectedCompletionInfo !== undefined) {
            return undefined;
        }
        const lineText = document.lineAt(position.line).text;
        if (typedPrefix(lineText, position.character) === undefined) {
            return undefined; // code after the cursor: no ghost text
        }
        const key = inlineKey(document.uri.toString(), document.version, position.line, position.character);
        try {
            let suggestions = this.cache.get(key);
            if (suggestions === undefined) {
                if (this.pending?.key !== key && context.triggerKind === InlineCompletionTriggerKind.Automatic) {
                    if (!(await sleep(settings.inline.debounceMs, token))) {
                        return undefined; // a newer keystroke superseded this one
                    }
                }
                const pending = this.pending?.key === key ? this.pending : this.start(document, position, key);
                suggestions = await raceCancellation(pending.suggestions, token);
            }
            const lines = { lineCount: document.lineCount, lineAt: (i: number) => document.lineAt(i).text };
            const insertion = inlineInsertion(lineText, position.character, blockIndent(lines, position.line), suggestions);
            if (insertion === undefined) {
                return undefined;
            }
            if (insertion.suggestion.outcome === 'proved') {
                this.markCloses(document, insertion.suggestion.tactic);
            }
            const range = new Range(position.line, insertion.start, position.line, position.character);
            return [new InlineCompletionItem(insertion.text, range)];
        } catch (e) {
            if (!(e instanceof CancelledError)) {
                this.log.debug(`inline suggestions: ${errorText(e)}`);
            }
            return undefined;
        }
    }

    /** Replaces the pending request with one for `key`; failures resolve to no suggestions. */
    private start(document: TextDocument, position: Position, key: string): Pending {
        this.pending?.source.cancel();
        this.pending?.source.dispose();
        const source = new CancellationTokenSource();
        const suggestions = this.fetch(document, position, key, source.token).catch((e: unknown) => {
            if (!(e instanceof CancelledError)) {
                this.log.debug(`inline suggestions: ${errorText(e)}`);
            }
            return []; // not cached: the next keystroke asks again (after the debounce)
        });
        this.pending = { key, source, suggestions };
        return this.pending;
    }

    private async fetch(document: TextDocument, position: Position, key: string, token: CancellationToken): Promise<readonly TacticSuggestion[]> {
        const goal = await this.goals.goalAt(document, position, INLINE_GOAL_TIMEOUT_MS, token);
        if (token.isCancellationRequested) {
            throw new CancelledError();
        }
        const count = allSettings().suggestions.count;
        const params: SuggestTacticsParams = {
            textDocument: { uri: this.client.protocolUri(document.uri), version: document.version },
            position: this.client.protocolPosition(position),
            mode: 'inline',
            ...(count !== null ? { n: count } : {}),
            ...(goal.kind === 'goal' ? { goal: goal.text } : {}),
        };
        const result = await this.client.request(suggestTacticsRequest, params, token);
        const ranked = rankSuggestions(result.suggestions);
        this.cache.set(key, result.goal, ranked);
        return ranked;
    }

    /** ✓ in the status bar while the ghost text shown closes the goal (a decoration at the cursor
     *  would sit behind the ghost text itself). */
    private markCloses(document: TextDocument, tactic: string): void {
        this.clearMark();
        const first = tactic.split('\n')[0] ?? tactic;
        const message = window.setStatusBarMessage(`$(check) leanstep: \`${first}\` closes the goal (Tab)`);
        this.closesMark = { uri: document.uri.toString(), message };
    }

    /** Clears the mark (only when it is on `uri`, if given). */
    private clearMark(uri?: string): void {
        if (this.closesMark !== undefined && (uri === undefined || uri === this.closesMark.uri)) {
            this.closesMark.message.dispose();
            this.closesMark = undefined;
        }
    }

    dispose(): void {
        this.pending?.source.cancel();
        this.pending?.source.dispose();
        this.pending = undefined;
        this.clearMark();
        for (const d of this.disposables) {
            d.dispose();
        }
    }
}
