/**
 * Relay of Lean's own goal at a position, through the Lean 4 extension (`leanprover.lean4`).
 *
 * That extension's API is undocumented, so this is the one module that handles its values: every
 * value is `unknown` until a guard below accepts it, every step is bounded by a deadline, and any
 * failure yields `{kind: 'unavailable'}` (the leanstep server then finds the goal itself).
 * Protocol: `textDocument/waitForDiagnostics {uri, version}` (so the goal is not half-elaborated),
 * then `$/lean/plainGoal {textDocument: {uri}, position}` → `{rendered, goals}` or null.
 */

import { type Disposable, type LogOutputChannel, type Position, type TextDocument, type Uri, extensions } from 'vscode';
import { type CancelToken, Deadline, TimeoutError, withTimeout } from './pure/async';
import { type GoalAnswer, errorText, goalFromPlainGoal, isFileInFolder } from './pure/leanGoal';

const LEAN4_EXTENSION_ID = 'leanprover.lean4';

/** A client of Lean's language server, as the Lean 4 extension's `LeanClient` exposes it. */
interface LeanClientLike {
    sendRequest(method: string, params: unknown): Promise<unknown>;
}

/** The part of `exports.lean4EnabledFeatures.clientProvider` used here. */
interface ClientProviderLike {
    findClient(uri: unknown): unknown;
}

function hasMethod<K extends string>(value: unknown, name: K): value is Record<K, (...args: unknown[]) => unknown> {
    return typeof value === 'object' && value !== null && name in value && typeof (value as Record<K, unknown>)[name] === 'function';
}

/**
 * The Lean 4 extension's `FileUri`/`UntitledUri` shape (its `ExtUri`): `findClient` calls
 * `isInFolder` on it, so a plain `vscode.Uri` is not enough for recent versions.
 */
function extUriLike(uri: Uri): object {
    if (uri.scheme === 'untitled') {
        return { scheme: 'untitled', path: uri.path, asUri: () => uri, toString: () => uri.toString() };
    }
    const fsPath = uri.fsPath;
    return {
        scheme: 'file',
        fsPath,
        asUri: () => uri,
        toString: () => uri.toString(),
        equals: (other: unknown) => hasFsPath(other) && other.fsPath === fsPath,
        isInFolder: (folder: unknown) => hasFsPath(folder) && isFileInFolder(fsPath, folder.fsPath),
    };
}

function hasFsPath(value: unknown): value is { fsPath: string } {
    return typeof value === 'object' && value !== null && 'fsPath' in value && typeof value.fsPath === 'string';
}

export class GoalRelay implements Disposable {
    private features: Promise<unknown> | undefined;
    private readonly reported = new Set<string>();

    constructor(private readonly log: LogOutputChannel) {}

    /** Lean's goals at `position`, within `timeoutMs`; never throws. */
    async goalAt(document: TextDocument, position: Position, timeoutMs: number, token?: CancelToken): Promise<GoalAnswer> {
        const deadline = new Deadline(timeoutMs);
        try {
            const lean = await this.leanClient(document.uri, deadline);
            if (lean === undefined || token?.isCancellationRequested) {
                return { kind: 'unavailable', reason: 'no Lean 4 client for this file' };
            }
            const uri = document.uri.toString();
            try {
                await withTimeout(
                    lean.sendRequest('textDocument/waitForDiagnostics', { uri, version: document.version }),
                    deadline.remaining(),
                    'textDocument/waitForDiagnostics',
                );
            } catch (e) {
                if (e instanceof TimeoutError) {
                    throw e; // Lean is still elaborating: its goal would be stale.
                }
                this.note('waitForDiagnostics', e); // older servers: ask for the goal anyway
            }
            const response = await withTimeout(
                lean.sendRequest('$/lean/plainGoal', {
                    textDocument: { uri },
                    position: { line: position.line, character: position.character },
                }),
                deadline.remaining(),
                '$/lean/plainGoal',
            );
            return goalFromPlainGoal(response);
        } catch (e) {
            this.note('goal', e);
            return { kind: 'unavailable', reason: errorText(e) };
        }
    }

    private async leanClient(uri: Uri, deadline: Deadline): Promise<LeanClientLike | undefined> {
        const provider = await this.clientProvider(deadline);
        if (provider === undefined) {
            return undefined;
        }
        for (const arg of [extUriLike(uri), uri]) {
            try {
                const client = provider.findClient(arg);
                if (hasMethod(client, 'sendRequest')) {
                    return { sendRequest: (method, params) => Promise.resolve(client.sendRequest(method, params)) };
                }
            } catch (e) {
                this.note('findClient', e); // an older API shape: try the next argument form
            }
        }
        return undefined;
    }

    private async clientProvider(deadline: Deadline): Promise<ClientProviderLike | undefined> {
        const extension = extensions.getExtension<unknown>(LEAN4_EXTENSION_ID);
        if (extension === undefined || !extension.isActive) {
            return undefined;
        }
        if (this.features === undefined) {
            const exports: unknown = extension.exports;
            if (typeof exports !== 'object' || exports === null || !('lean4EnabledFeatures' in exports)) {
                this.note('exports', 'the Lean 4 extension exports no lean4EnabledFeatures');
                return undefined;
            }
            const features: unknown = exports.lean4EnabledFeatures;
            this.features = Promise.resolve(features);
            this.features.catch(() => {
                this.features = undefined; // ask again next time
            });
        }
        // Resolves once Lean 4 features are enabled (a toolchain exists); may never resolve.
        const features = await withTimeout(this.features, deadline.remaining(), 'lean4EnabledFeatures');
        if (typeof features !== 'object' || features === null || !('clientProvider' in features)) {
            return undefined;
        }
        const provider = features.clientProvider;
        return hasMethod(provider, 'findClient') ? provider : undefined;
    }

    /** Logs each kind of failure once at info level, then at debug level. */
    private note(step: string, error: unknown): void {
        const text = `goal relay: ${step}: ${errorText(error)}`;
        if (this.reported.has(step)) {
            this.log.debug(text);
        } else {
            this.reported.add(step);
            this.log.info(`${text} (later failures of this step are logged at debug level)`);
        }
    }

    dispose(): void {
        this.features = undefined;
    }
}
