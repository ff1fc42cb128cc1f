/**
 * A cancellable progress notification wired to LSP work-done progress: the request carries a fresh
 * `workDoneToken`, the server's `$/progress` reports update the notification, and Cancel cancels
 * the request (the language client sends `$/cancelRequest`).
 */

import { type CancellationToken, ProgressLocation, window } from 'vscode';
import type { LeanstepClient } from './client';
import { CancelledError } from './pure/async';
import { PercentTracker, newWorkDoneToken } from './pure/progress';

/** Runs `run`; resolves `undefined` when the user cancelled. */
export async function withWorkDone<R>(
    client: LeanstepClient,
    title: string,
    kind: string,
    run: (workDoneToken: string, token: CancellationToken) => Promise<R>,
): Promise<R | undefined> {
    return window.withProgress(
        { location: ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
            const workDoneToken = newWorkDoneToken(kind);
            const percent = new PercentTracker();
            const subscription = client.onWorkDone(workDoneToken, (value) => {
                if (value.kind !== 'end') {
                    progress.report({ message: value.message, increment: percent.increment(value.percentage) });
                }
            });
            try {
                return await run(workDoneToken, token);
            } catch (e) {
                if (e instanceof CancelledError || token.isCancellationRequested) {
                    return undefined;
                }
                throw e;
            } finally {
                subscription.dispose();
            }
        },
    );
}
