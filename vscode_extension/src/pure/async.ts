/**
 * Timeouts, cancellable sleeps and cancellation races, over a structural cancellation token
 * (`vscode.CancellationToken` satisfies it), so this module stays free of `vscode`.
 */

export interface CancelToken {
    readonly isCancellationRequested: boolean;
    onCancellationRequested(listener: () => void): { dispose(): void };
}

export class TimeoutError extends Error {
    constructor(what: string, ms: number) {
        super(`${what} timed out after ${ms} ms`);
        this.name = 'TimeoutError';
    }
}

export class CancelledError extends Error {
    constructor() {
        super('cancelled');
        this.name = 'CancelledError';
    }
}

/** Settles like `promise`, or rejects with `TimeoutError` after `ms` (the timer never outlives it). */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        if (ms <= 0) {
            reject(new TimeoutError(what, 0));
            return;
        }
        const timer = setTimeout(() => {
            reject(new TimeoutError(what, ms));
        }, ms);
        promise.then(
            (value) => {
                clearTimeout(timer);
                resolve(value);
            },
            (error: unknown) => {
                clearTimeout(timer);
                reject(error instanceof Error ? error : new Error(String(error)));
            },
        );
    });
}

/** Resolves `true` after `ms`, or `false` as soon as `token` is cancelled. */
export function sleep(ms: number, token?: CancelToken): Promise<boolean> {
    if (token?.isCancellationRequested) {
        return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
        const sub = token?.onCancellationRequested(() => {
            clearTimeout(timer);
            sub?.dispose();
            resolve(false);
        });
        const timer = setTimeout(() => {
            sub?.dispose();
            resolve(true);
        }, Math.max(0, ms));
    });
}

/**
 * Settles like `promise`, or rejects with `CancelledError` as soon as `token` is cancelled.
 * A late rejection of `promise` after cancellation is swallowed (never unhandled).
 */
export function raceCancellation<T>(promise: Promise<T>, token?: CancelToken): Promise<T> {
    if (token === undefined) {
        return promise;
    }
    promise.catch(() => undefined);
    if (token.isCancellationRequested) {
        return Promise.reject(new CancelledError());
    }
    return new Promise<T>((resolve, reject) => {
        const sub = token.onCancellationRequested(() => {
            sub.dispose();
            reject(new CancelledError());
        });
        promise.then(
            (value) => {
                sub.dispose();
                resolve(value);
            },
            (error: unknown) => {
                sub.dispose();
                reject(error instanceof Error ? error : new Error(String(error)));
            },
        );
    });
}

/** A fixed point in time; `remaining()` is never negative. */
export class Deadline {
    private readonly end: number;

    constructor(
        ms: number,
        private readonly now: () => number = Date.now,
    ) {
        this.end = now() + ms;
    }

    remaining(): number {
        return Math.max(0, this.end - this.now());
    }
}
