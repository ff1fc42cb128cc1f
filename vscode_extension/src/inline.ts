/**
 * Ghost text for the next tactic: an `InlineCompletionItemProvider` for `lean4` that calls
 * `leanstep/suggestTactics` with Lean's relayed goal and shows the best checked suggestion that
 * extends what is typed on the line.
 *
 * Invariants:
 * - The goal and the suggestions are those *before* the line being typed: the request is made at
 *   the line's indentation, and its answer is keyed by (document, line, text above the line). While
 *   the user types on the line the key does not change, so later keystrokes only re-filter.
 * - At most one server request is in flight. It is cancelled when a request for another key starts
 *   (an edit above the line, or another line) or on dispose; a provider call whose own token is
 *   cancelled stops waiting at once (debounce, goal relay, request) but leaves a still-useful request
 *   running for the next keystroke.
 * - Only "proves"/"progress" suggestions are ever shown (`pure/inlineText.ts`).
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
    Position,
    Range,
    type TextDocument,
    languages,
} from 'vscode';
import type { LeanstepClient } from './client';
import type { GoalRelay } from './goal';
import type { SuggestTacticsParams, TacticSuggestion } from './protocol';
import { CancelledError, raceCancellation, sleep } from './pure/async';
import { blockIndent } from './pure/indent';
import { inlineInsertion, typedPrefix } from './pure/inlineText';
import { errorText } from './pure/leanGoal';
import { rankSuggestions } from './pure/ranking';
import { suggestTacticsRequest } from './requests';
import * as settings from './settings';

/** How long ghost text waits for Lean's goal before asking the server without it. */
const INLINE_GOAL_TIMEOUT_MS = 1500;

interface Pending {
    key: string;
    source: CancellationTokenSource;
    suggestions: Promise<readonly TacticSuggestion[]>;
}

export class InlineSuggestions implements InlineCompletionItemProvider, Disposable {
    private readonly registration: Disposable;
    private pending: Pending | undefined;

    constructor(
        private readonly client: LeanstepClient,
        private readonly goals: GoalRelay,
        private readonly log: LogOutputChannel,
    ) {
        this.registration = languages.registerInlineCompletionItemProvider({ language: 'lean4' }, this);
    }

    async provideInlineCompletionItems(
        document: TextDocument,
        position: Position,
        context: InlineCompletionContext,
        token: CancellationToken,
    ): Promise<InlineCompletionItem[] | undefined> {
        if (!settings.inlineEnabled() || !this.client.isRunning() || context.selectedCompletionInfo !== undefined) {
            return undefined;
        }
        const lineText = document.lineAt(position.line).text;
        const prefix = typedPrefix(lineText, position.character);
        if (prefix === undefined) {
            return undefined; // code after the cursor: no ghost text
        }
        const key = `${document.uri.toString()}\n${position.line}\n${document.getText(new Range(0, 0, position.line, 0))}`;
        try {
            if (this.pending?.key !== key && context.triggerKind === InlineCompletionTriggerKind.Automatic) {
                if (!(await sleep(settings.inlineDebounceMs(), token))) {
                    return undefined; // a newer keystroke superseded this one
                }
            }
            const pending =
                this.pending?.key === key ? this.pending : this.start(document, new Position(position.line, prefix.indent), key);
            const suggestions = await raceCancellation(pending.suggestions, token);
            const contextIndent = blockIndent({ lineCount: document.lineCount, lineAt: (i) => document.lineAt(i).text }, position.line);
            const insertion = inlineInsertion(lineText, position.character, contextIndent, suggestions);
            if (insertion === undefined) {
                return undefined;
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
    private start(document: TextDocument, anchor: Position, key: string): Pending {
        this.pending?.source.cancel();
        this.pending?.source.dispose();
        const source = new CancellationTokenSource();
        const suggestions = this.fetch(document, anchor, source.token).catch((e: unknown) => {
            if (!(e instanceof CancelledError)) {
                this.log.debug(`inline suggestions: ${errorText(e)}`);
            }
            return []; // no retry until the key changes: a failing server is not hammered
        });
        this.pending = { key, source, suggestions };
        return this.pending;
    }

    private async fetch(document: TextDocument, anchor: Position, token: CancellationToken): Promise<readonly TacticSuggestion[]> {
        const goal = await this.goals.goalAt(document, anchor, INLINE_GOAL_TIMEOUT_MS, token);
        if (goal.kind === 'none' || token.isCancellationRequested) {
            return []; // Lean says there is no goal here (outside a proof, or all goals closed)
        }
        const count = settings.suggestionsCount();
        const params: SuggestTacticsParams = {
            textDocument: { uri: this.client.protocolUri(document.uri) },
            position: this.client.protocolPosition(anchor),
            ...(count !== null ? { n: count } : {}),
            ...(goal.kind === 'goal' ? { goal: goal.text } : {}),
        };
        const result = await this.client.request(suggestTacticsRequest, params, token);
        return rankSuggestions(result.suggestions);
    }

    dispose(): void {
        this.pending?.source.cancel();
        this.pending?.source.dispose();
        this.pending = undefined;
        this.registration.dispose();
    }
}
