/**
 * The leanstep language server process and its `LanguageClient`.
 *
 * Invariants: at most one server runs; `state` combines the process (starting, stopped, failed)
 * with the server's own `leanstep/status` (loading the model, ready, a configuration error) and is
 * 'working' exactly while a request sent through `request()` is in flight; a crash is handled by
 * the client's default error handler (restart, unless it is the 5th within 3 minutes) and is always
 * reported to the user. JSON-RPC traffic reaches the output only through the client's own tracing
 * (`leanstep.trace.server`); a normal exit of the server (code 0) is not logged as an error.
 */

import * as os from 'node:os';
import {
    Disposable,
    EventEmitter,
    type CancellationToken,
    type Event,
    type LogOutputChannel,
    type Position as VPosition,
    type Uri,
    type WorkspaceEdit as VWorkspaceEdit,
    commands,
    window,
    workspace,
} from 'vscode';
import {
    CloseAction,
    DidChangeConfigurationNotification,
    ErrorAction,
    LanguageClient,
    RequestType,
    RevealOutputChannelOn,
    State,
    TransportKind,
    WorkDoneProgress,
    type CloseHandlerResult,
    type ErrorHandler,
    type ErrorHandlerResult,
    type LanguageClientOptions,
    type Message,
    type ServerOptions,
    type WorkDoneProgressBegin,
    type WorkDoneProgressEnd,
    type WorkDoneProgressReport,
    type WorkspaceEdit,
} from 'vscode-languageclient/node';
import type { Position, SearchProgressParams, StatusParams } from './protocol';
import { raceCancellation } from './pure/async';
import { serverCommand } from './pure/config';
import { searchProgressNotification, statusNotification } from './requests';
import { SECTION, SERVER_PROCESS_SETTINGS, allSettings } from './settings';

export type ClientState = 'starting' | 'loading' | 'ready' | 'working' | 'error' | 'stopped';

/** What the status bar shows: the state and, for errors and loading, the server's words. */
export interface StatusView {
    state: ClientState;
    message?: string;
    detail?: string;
    configPath?: string;
}

export type WorkDoneValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

export class ServerNotRunningError extends Error {
    constructor() {
        super('the leanstep server is not running');
        this.name = 'ServerNotRunningError';
    }
}

/** The default error handler, plus a notification for every crash it handles. */
class CrashReporter implements ErrorHandler {
    private fallback: ErrorHandler | undefined;

    constructor(private readonly onGiveUp: (message: string) => void) {}

    attach(client: LanguageClient): void {
        this.fallback = client.createDefaultErrorHandler();
    }

    async error(error: Error, message: Message | undefined, count: number | undefined): Promise<ErrorHandlerResult> {
        return this.fallback ? await this.fallback.error(error, message, count) : { action: ErrorAction.Shutdown };
    }

    async closed(): Promise<CloseHandlerResult> {
        const result: CloseHandlerResult = this.fallback
            ? await this.fallback.closed()
            : { action: CloseAction.DoNotRestart };
        if (result.action === CloseAction.Restart) {
            void window.showWarningMessage('The leanstep server stopped unexpectedly and is being restarted.');
        } else {
            this.onGiveUp(result.message ?? 'The leanstep server stopped and will not be restarted.');
        }
        return { ...result, handled: true };
    }
}

/** A LanguageClient that is silent about a normal exit of its server (code 0, as on a restart);
 *  any other exit is still an error. */
class QuietLanguageClient extends LanguageClient {
    override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
        if (/^Server process exited with code 0\.?$/.test(message)) {
            return;
        }
        super.error(message, data, showNotification);
    }
}

export class LeanstepClient implements Disposable {
    private client: LanguageClient | undefined;
    private inFlight = 0;
    private failed: string | undefined;
    private serverStatus: StatusParams | undefined;
    private readonly stateEmitter = new EventEmitter<StatusView>();
    private readonly progressEmitter = new EventEmitter<SearchProgressParams>();
    private readonly disposables: { dispose(): unknown }[] = [this.stateEmitter, this.progressEmitter];

    readonly onDidChangeState: Event<StatusView> = this.stateEmitter.event;
    /** `leanstep/searchProgress` from the server. */
    readonly onSearchProgress: Event<SearchProgressParams> = this.progressEmitter.event;

    constructor(private readonly output: LogOutputChannel) {
        this.disposables.push(
            workspace.onDidChangeConfiguration((e) => {
                if (SERVER_PROCESS_SETTINGS.some((key) => e.affectsConfiguration(key))) {
                    void this.offerRestart();
                } else if (e.affectsConfiguration(SECTION)) {
                    void this.pushSettings();
                }
            }),
        );
    }

    get state(): ClientState {
        return this.status.state;
    }

    get status(): StatusView {
        const client = this.client;
        if (this.failed !== undefined) {
            return { state: 'error', message: this.failed };
        }
        if (client === undefined || client.state === State.Stopped) {
            return { state: 'stopped' };
        }
        if (client.state === State.Starting) {
            return { state: 'starting' };
        }
        const server = this.serverStatus;
        if (server !== undefined && server.state !== 'ready') {
            return { state: server.state, message: server.message, detail: server.detail, configPath: server.configPath };
        }
        return { state: this.inFlight > 0 ? 'working' : 'ready', message: server?.message };
    }

    isRunning(): boolean {
        return this.client?.isRunning() ?? false;
    }

    async start(): Promise<void> {
        if (this.client !== undefined) {
            return;
        }
        const folder = workspace.workspaceFolders?.[0]?.uri;
        const cwd = folder?.scheme === 'file' ? folder.fsPath : undefined;
        const { command, args } = serverCommand(allSettings(), cwd, os.homedir());
        this.output.info(`starting the leanstep server: ${[command, ...args].join(' ')}${cwd ? ` (in ${cwd})` : ''}`);
        const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio, options: { cwd } };
        const reporter = new CrashReporter((message) => {
            this.failed = message;
            this.fireState();
            void this.showFailure(message);
        });
        const clientOptions: LanguageClientOptions = {
            documentSelector: [
                { language: 'lean4', scheme: 'file' },
                { language: 'lean4', scheme: 'untitled' },
            ],
            outputChannel: this.output,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            // Re-read on every (re)start, so a restart after a settings change sends the new values.
            initializationOptions: () => allSettings(),
            errorHandler: reporter,
            middleware: {
                workspace: {
                    // Section `leanstep` is answered with the validated settings (one shape everywhere).
                    configuration: async (params, token, next) => {
                        const answers = await next(params, token);
                        if (!Array.isArray(answers)) {
                            return answers;
                        }
                        return params.items.map((item, i): unknown =>
                            item.section === SECTION ? allSettings() : answers[i],
                        );
                    },
                },
            },
        };
        // The id `leanstep` makes the client read `leanstep.trace.server` itself.
        const client = new QuietLanguageClient('leanstep', 'leanstep', serverOptions, clientOptions);
        reporter.attach(client);
        this.client = client;
        this.failed = undefined;
        this.serverStatus = undefined;
        client.onDidChangeState(() => {
            this.fireState();
        });
        // (the server logs its own status changes; the status bar shows them)
        client.onNotification(statusNotification, (status) => {
            this.serverStatus = status;
            this.fireState();
        });
        client.onNotification(searchProgressNotification, (progress) => {
            this.progressEmitter.fire(progress);
        });
        this.fireState();
        try {
            await client.start();
        } catch (e) {
            const why = e instanceof Error ? e.message : String(e);
            this.failed = `the server did not start: ${why}`;
            this.fireState();
            this.output.error(`the leanstep server did not start: ${why}`);
            await this.showFailure(
                `The leanstep server did not start (${command}): ${why}. Check leanstep.serverPath or leanstep.pythonPath.`,
            );
        }
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        this.failed = undefined;
        this.serverStatus = undefined;
        if (client !== undefined) {
            try {
                await client.dispose(2000);
            } catch (e) {
                this.output.warn(`stopping the leanstep server: ${String(e)}`);
            }
        }
        this.fireState();
    }

    async restart(): Promise<void> {
        await this.stop();
        await this.start();
    }

    /** Sends a request; rejects with `CancelledError` as soon as `token` is cancelled (the server gets `$/cancelRequest`). */
    async request<P, R>(type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R> {
        const client = this.client;
        if (client === undefined || client.state === State.Stopped) {
            throw new ServerNotRunningError();
        }
        this.inFlight += 1;
        this.fireState();
        try {
            return await raceCancellation(client.sendRequest(type, params, token), token);
        } finally {
            this.inFlight -= 1;
            this.fireState();
        }
    }

    /** Calls `handler` for `$/progress` on `token` (client-initiated work-done progress). */
    onWorkDone(token: string, handler: (value: WorkDoneValue) => void): Disposable {
        const client = this.client;
        return client === undefined ? new Disposable(() => undefined) : client.onProgress(WorkDoneProgress.type, token, handler);
    }

    protocolUri(uri: Uri): string {
        return this.client?.code2ProtocolConverter.asUri(uri) ?? uri.toString();
    }

    protocolPosition(position: VPosition): Position {
        return { line: position.line, character: position.character };
    }

    async asWorkspaceEdit(edit: WorkspaceEdit): Promise<VWorkspaceEdit | undefined> {
        const client = this.client;
        return client === undefined ? undefined : await client.protocol2CodeConverter.asWorkspaceEdit(edit);
    }

    dispose(): void {
        void this.stop();
        for (const d of this.disposables) {
            d.dispose();
        }
    }

    private fireState(): void {
        this.stateEmitter.fire(this.status);
    }

    private async pushSettings(): Promise<void> {
        const client = this.client;
        if (client?.isRunning()) {
            await client.sendNotification(DidChangeConfigurationNotification.type, {
                settings: { [SECTION]: allSettings() },
            });
        }
    }

    private async offerRestart(): Promise<void> {
        const choice = await window.showInformationMessage(
            'The leanstep server command changed. Restart the server to use it?',
            'Restart',
        );
        if (choice === 'Restart') {
            await this.restart();
        }
    }

    private async showFailure(message: string): Promise<void> {
        const choice = await window.showErrorMessage(message, 'Restart', 'Show Output', 'Open Settings');
        if (choice === 'Restart') {
            await this.restart();
        } else if (choice === 'Show Output') {
            this.output.show(true);
        } else if (choice === 'Open Settings') {
            await commands.executeCommand('workbench.action.openSettings', '@ext:leanstep.leanstep');
        }
    }
}
