/**
 * A cancellable progress notification wired to LSP work-done progress: the request carries a fresh
 * `workDoneToken`, the server's `$/progress` reports update the notification, and Cancel (in the
 * notification, or `also` from elsewhere, e.g. the panel) cancels the request (the language client
 * sends `$/cancelRequest`). The notification closes as soon as the answer arrives.
 */

import { type CancellationToken, CancellationTokenSource, ProgressLocation, window } from 'vscode';
import type { LeanstepClient } from './client';
import { CancelledError } from './pure/async';
import { PercentTracker, newWorkDoneToken } from './pure/progress';

/** Runs `run`; resolves `undefined` when the user cancelled. */
export async function withWorkDone<R>(
    client: LeanstepClient,
    title: string,
    kind: string,
    run: (workDoneToken: string, token: CancellationToken) => Promise<R>,
    also?: CancellationToken,
): Promise<R | undefined> {
    return window.withProgress(
        { location: ProgressLocation.Notification, title, cancellable: true },
        async (progress, notificationToken) => {
            const workDoneToken = newWorkDoneToken(kind);
            const percent = new PercentTracker();
            const source = new CancellationTokenSource();
            const links = [notificationToken, also].map((t) =>
                t?.onCancellationRequested(() => {
                    source.cancel();
                }),
            );
            if (notificationToken.isCancellationRequested || also?.isCancellationRequested) {
                source.cancel();
            }
            const subscription = client.onWorkDone(workDoneToken, (value) => {
                if (value.kind !== 'end') {
                    progress.report({ message: value.message, increment: percent.increment(value.percentage) });
                }
            });
            try {
                return await run(workDoneToken, source.token);
            } catch (e) {
                if (e instanceof CancelledError || source.token.isCancellationRequested) {
                    return undefined;
                }
                throw e;
            } finally {
                subscription.dispose();
                for (const l of links) {
                    l?.dispose();
                }
                source.dispose();
            }
        },
    );
}
