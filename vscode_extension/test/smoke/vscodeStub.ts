/**
 * A small in-memory stand-in for the `vscode` module, enough for the bundled extension and the
 * real vscode-languageclient to run in Node against a stub server. It records what the extension
 * shows and does, and lets a test answer messages, post panel messages and cancel progress.
 */

export type Listener<T> = (e: T) => unknown;

export class Disposable {
    static from(...items: { dispose(): unknown }[]): Disposable {
        return new Disposable(() => {
            for (const i of items) {
                i.dispose();
            }
        });
    }
    constructor(private readonly fn: () => unknown) {}
    dispose(): void {
        this.fn();
    }
}

export class EventEmitter<T> {
    private listeners: Listener<T>[] = [];
    readonly event = (listener: Listener<T>, thisArgs?: unknown): Disposable => {
        const bound: Listener<T> = thisArgs === undefined ? listener : (e) => listener.call(thisArgs, e);
        this.listeners.push(bound);
        return new Disposable(() => {
            this.listeners = this.listeners.filter((l) => l !== bound);
        });
    };
    fire(e: T): void {
        for (const l of [...this.listeners]) {
            l(e);
        }
    }
    dispose(): void {
        this.listeners = [];
    }
}

export class CancellationError extends Error {}

export class CancellationTokenSource {
    private readonly emitter = new EventEmitter<undefined>();
    readonly token = {
        isCancellationRequested: false,
        onCancellationRequested: this.emitter.event,
    };
    cancel(): void {
        if (!this.token.isCancellationRequested) {
            this.token.isCancellationRequested = true;
            this.emitter.fire(undefined);
        }
    }
    dispose(): void {
        this.emitter.dispose();
    }
}

export class Position {
    constructor(
        readonly line: number,
        readonly character: number,
    ) {}
    translate(lineDelta = 0, characterDelta = 0): Position {
        return new Position(this.line + lineDelta, this.character + characterDelta);
    }
}

export class Range {
    readonly start: Position;
    readonly end: Position;
    constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
        if (typeof a === 'number' && typeof b === 'number') {
            this.start = new Position(a, b);
            this.end = new Position(c ?? a, d ?? b);
        } else {
            this.start = a as Position;
            this.end = b as Position;
        }
    }
}

export class Uri {
    private constructor(
        readonly scheme: string,
        readonly path: string,
    ) {}
    static parse(value: string): Uri {
        const m = /^([a-z]+):\/\/(.*)$/.exec(value);
        return m ? new Uri(m[1] ?? 'file', decodeURIComponent(m[2] ?? '')) : new Uri('file', value);
    }
    static file(path: string): Uri {
        return new Uri('file', path);
    }
    get fsPath(): string {
        return this.path;
    }
    toString(): string {
        return `${this.scheme}://${this.path}`;
    }
}

export class Selection extends Range {
    constructor(
        readonly anchor: Position,
        readonly active: Position,
    ) {
        super(anchor, active);
    }
}

export class TextEdit {
    constructor(
        readonly range: Range,
        readonly newText: string,
    ) {}
}

export class WorkspaceEdit {
    readonly edits: { uri: Uri; range: Range; text: string }[] = [];
    replace(uri: Uri, range: Range, text: string): void {
        this.edits.push({ uri, range, text });
    }
    set(uri: Uri, edits: TextEdit[]): void {
        for (const e of edits) {
            this.edits.push({ uri, range: e.range, text: e.newText });
        }
    }
}

export class InlineCompletionItem {
    constructor(
        readonly insertText: string,
        readonly range?: Range,
    ) {}
}

export class ThemeColor {
    constructor(readonly id: string) {}
}

export class Location {
    constructor(
        readonly uri: Uri,
        readonly range: Range,
    ) {}
}

export class SnippetString {
    constructor(readonly value: string) {}
}

/** Base classes vscode-languageclient extends when it loads. */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
class Plain {}
export class CallHierarchyItem extends Plain {}
export class CodeLens extends Plain {}
export class CompletionItem extends Plain {}
export class DocumentLink extends Plain {}
export class InlayHint extends Plain {}
export class SymbolInformation extends Plain {}
export class TypeHierarchyItem extends Plain {}
export class CodeAction extends Plain {}
export class Diagnostic extends Plain {}

export interface DocumentChange {
    document: FakeDocument;
    contentChanges: { range: Range; rangeOffset: number; rangeLength: number; text: string }[];
    reason: undefined;
}

/** A text document whose text can be edited (version bumps on each edit, and `changed` fires). */
export class FakeDocument {
    version = 1;
    readonly languageId = 'lean4';
    readonly isClosed = false;
    readonly isUntitled = false;
    readonly uri: Uri;
    constructor(
        uri: string,
        public text: string,
        private readonly changed?: EventEmitter<DocumentChange>,
    ) {
        this.uri = Uri.parse(uri);
    }
    get fileName(): string {
        return this.uri.fsPath;
    }
    get lineCount(): number {
        return this.text.split('\n').length;
    }
    lineAt(line: number): { text: string } {
        return { text: this.text.split('\n')[line] ?? '' };
    }
    offsetAt(p: Position): number {
        const lines = this.text.split('\n');
        let offset = 0;
        for (let i = 0; i < p.line; i++) {
            offset += (lines[i] ?? '').length + 1;
        }
        return offset + p.character;
    }
    getText(range?: Range): string {
        return range === undefined ? this.text : this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
    }
    replace(range: Range, text: string): void {
        const start = this.offsetAt(range.start);
        const end = this.offsetAt(range.end);
        this.text = this.text.slice(0, start) + text + this.text.slice(end);
        this.version += 1;
        this.changed?.fire({ document: this, contentChanges: [{ range, rangeOffset: start, rangeLength: end - start, text }], reason: undefined });
    }
}

export interface Shown {
    kind: 'info' | 'warning' | 'error';
    text: string;
    items: string[];
}

export interface InlineProviderLike {
    provideInlineCompletionItems(
        document: FakeDocument,
        position: Position,
        context: { triggerKind: number; selectedCompletionInfo: undefined },
        token: CancellationTokenSource['token'],
    ): Promise<InlineCompletionItem[] | undefined>;
}

/** A webview panel: what the extension rendered, and a way to post the page's messages. */
export class FakePanel {
    readonly posted: unknown[] = [];
    visible = true;
    reveals = 0;
    private readonly received = new EventEmitter<unknown>();
    private readonly disposed = new EventEmitter<undefined>();
    readonly webview = {
        cspSource: 'vscode-resource:',
        options: {},
        html: '',
        postMessage: (message: unknown): Promise<boolean> => {
            this.posted.push(message);
            return Promise.resolve(true);
        },
        onDidReceiveMessage: this.received.event,
        asWebviewUri: (u: Uri) => u,
    };
    readonly onDidDispose = this.disposed.event;
    reveal(): void {
        this.reveals += 1;
    }
    /** The body last rendered (posted `render` message). */
    get body(): string {
        const renders = this.posted.filter((m): m is { type: 'render'; html: string } => (m as { type?: string }).type === 'render');
        return renders.at(-1)?.html ?? '';
    }
    /** As if the page posted `message`. */
    send(message: unknown): void {
        this.received.fire(message);
    }
    dispose(): void {
        this.disposed.fire(undefined);
    }
}

/** What the extension did, and how the "user" answers. */
export class Recorder {
    shown: Shown[] = [];
    progress: { message?: string; increment?: number }[] = [];
    applied: WorkspaceEdit[] = [];
    log: string[] = [];
    statusTexts: string[] = [];
    commands = new Map<string, (...args: unknown[]) => unknown>();
    inlineProviders: InlineProviderLike[] = [];
    documents: FakeDocument[] = [];
    config: Record<string, unknown> = {};
    extensions: Record<string, { isActive: boolean; exports: unknown }> = {};
    missing = new Set<string>();
    /** Answers a message with items (default: dismiss). */
    answer: (shown: Shown) => string | undefined = () => undefined;
    /** Cancels the next progress notification after this many ms. */
    cancelProgressAfterMs: number | undefined;
    readonly configChanged = new EventEmitter<{ affectsConfiguration(key: string): boolean }>();
    readonly docChanged = new EventEmitter<DocumentChange>();
    readonly docOpened = new EventEmitter<FakeDocument>();
    panels: FakePanel[] = [];
    statusMessages: string[] = [];
    clipboard = '';
}

function event(): (listener: unknown) => Disposable {
    return () => new Disposable(() => undefined);
}

function configuration(rec: Recorder, section?: string): Record<string, unknown> {
    const full = (key: string): string => (section ? `${section}.${key}` : key);
    const get = (key: string, fallback?: unknown): unknown => {
        const k = full(key);
        if (k in rec.config) {
            return rec.config[k];
        }
        const nested: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(rec.config)) {
            if (name.startsWith(`${k}.`)) {
                nested[name.slice(k.length + 1)] = value;
            }
        }
        return Object.keys(nested).length > 0 ? nested : fallback;
    };
    return { get, has: (key: string) => get(key) !== undefined, inspect: () => undefined, update: () => Promise.resolve() };
}

function logChannel(rec: Recorder): Record<string, unknown> {
    const line = (level: string) => (text: string) => {
        rec.log.push(`${level} ${text}`);
    };
    return {
        name: 'leanstep',
        logLevel: 2,
        onDidChangeLogLevel: event(),
        trace: line('trace'),
        debug: line('debug'),
        info: line('info'),
        warn: line('warn'),
        error: (e: unknown) => {
            rec.log.push(`error ${String(e)}`);
        },
        append: line('out'),
        appendLine: line('out'),
        replace: line('out'),
        clear: () => undefined,
        show: () => undefined,
        hide: () => undefined,
        dispose: () => undefined,
    };
}

function message(rec: Recorder, kind: Shown['kind']) {
    return (text: string, ...rest: unknown[]): Promise<string | undefined> => {
        const items = rest.filter((r): r is string => typeof r === 'string');
        const shown = { kind, text, items };
        rec.shown.push(shown);
        return Promise.resolve(rec.answer(shown));
    };
}

/** Reports any API the stub lacks (as `missing`) instead of failing obscurely. */
function tolerant<T extends object>(rec: Recorder, name: string, target: T): T {
    return new Proxy(target, {
        get(obj, prop, receiver): unknown {
            if (typeof prop === 'symbol' || prop in obj) {
                return Reflect.get(obj, prop, receiver);
            }
            rec.missing.add(`${name}.${prop}`);
            return undefined;
        },
    });
}

export function createVscode(rec: Recorder): Record<string, unknown> {
    const findDoc = (uri: unknown): FakeDocument => {
        const doc = rec.documents.find((d) => d.uri.toString() === String(uri));
        if (doc === undefined) {
            throw new Error(`no document ${String(uri)}`);
        }
        return doc;
    };
    const window = {
        createOutputChannel: () => logChannel(rec),
        createStatusBarItem: () => {
            const item: Record<string, unknown> = { show: () => undefined, hide: () => undefined, dispose: () => undefined };
            return new Proxy(item, {
                set(obj, prop, value): boolean {
                    if (prop === 'text' && typeof value === 'string') {
                        rec.statusTexts.push(value);
                    }
                    obj[prop as string] = value;
                    return true;
                },
            });
        },
        showInformationMessage: message(rec, 'info'),
        showWarningMessage: message(rec, 'warning'),
        showErrorMessage: message(rec, 'error'),
        withProgress: async (
            _options: unknown,
            task: (p: { report(v: { message?: string; increment?: number }): void }, t: unknown) => Promise<unknown>,
        ) => {
            const source = new CancellationTokenSource();
            if (rec.cancelProgressAfterMs !== undefined) {
                const ms = rec.cancelProgressAfterMs;
                rec.cancelProgressAfterMs = undefined;
                setTimeout(() => {
                    source.cancel();
                }, ms);
            }
            return task({ report: (v) => rec.progress.push(v) }, source.token);
        },
        showTextDocument: (doc: FakeDocument) =>
            Promise.resolve({
                document: doc,
                edit: (cb: (b: { replace(r: Range, t: string): void }) => void) => {
                    cb({
                        replace: (r, t) => {
                            doc.replace(r, t);
                        },
                    });
                    return Promise.resolve(true);
                },
            }),
        createWebviewPanel: () => {
            const panel = new FakePanel();
            rec.panels.push(panel);
            return panel;
        },
        setStatusBarMessage: (text: string) => {
            rec.statusMessages.push(text);
            return new Disposable(() => undefined);
        },
        onDidChangeTextEditorSelection: event(),
        activeTextEditor: undefined,
        visibleTextEditors: [],
        onDidChangeActiveTextEditor: event(),
        onDidChangeVisibleTextEditors: event(),
        tabGroups: { all: [], onDidChangeTabs: event(), onDidChangeTabGroups: event() },
    };
    const workspace = {
        getConfiguration: (section?: string) => configuration(rec, section),
        onDidChangeConfiguration: rec.configChanged.event,
        get textDocuments(): FakeDocument[] {
            return rec.documents;
        },
        workspaceFolders: undefined,
        openTextDocument: (uri: unknown) => Promise.resolve(findDoc(uri)),
        applyEdit: (edit: WorkspaceEdit) => {
            rec.applied.push(edit);
            for (const e of edit.edits) {
                findDoc(e.uri).replace(e.range, e.text);
            }
            return Promise.resolve(true);
        },
        onDidOpenTextDocument: rec.docOpened.event,
        onDidCloseTextDocument: event(),
        onDidChangeTextDocument: rec.docChanged.event,
        onDidSaveTextDocument: event(),
        onWillSaveTextDocument: event(),
        onDidChangeWorkspaceFolders: event(),
        onDidCreateFiles: event(),
        onDidRenameFiles: event(),
        onDidDeleteFiles: event(),
        onWillCreateFiles: event(),
        onWillRenameFiles: event(),
        onWillDeleteFiles: event(),
        onDidOpenNotebookDocument: event(),
        onDidCloseNotebookDocument: event(),
        onDidChangeNotebookDocument: event(),
        onDidSaveNotebookDocument: event(),
        notebookDocuments: [],
        createFileSystemWatcher: () => ({ onDidCreate: event(), onDidChange: event(), onDidDelete: event(), dispose: () => undefined }),
    };
    const languages = {
        match: (selector: unknown, doc: FakeDocument): number => {
            const filters = Array.isArray(selector) ? selector : [selector];
            return filters.some(
                (f: { language?: string; scheme?: string }) =>
                    (f.language === undefined || f.language === doc.languageId) && (f.scheme === undefined || f.scheme === doc.uri.scheme),
            )
                ? 10
                : 0;
        },
        createDiagnosticCollection: () => ({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }),
        registerInlineCompletionItemProvider: (_selector: unknown, provider: InlineProviderLike) => {
            rec.inlineProviders.push(provider);
            return new Disposable(() => undefined);
        },
    };
    const commands = {
        registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
            if (rec.commands.has(id)) {
                throw new Error(`command ${id} already exists`);
            }
            rec.commands.set(id, handler);
            return new Disposable(() => rec.commands.delete(id));
        },
        executeCommand: (id: string, ...args: unknown[]) => Promise.resolve(rec.commands.get(id)?.(...args)),
    };
    const codeActionKinds = new Proxy<Record<string, string>>({}, { get: (_t, prop) => String(prop) });
    return tolerant(rec, 'vscode', {
        version: '1.99.3',
        CodeActionKind: codeActionKinds,
        Disposable,
        EventEmitter,
        CancellationError,
        CancellationTokenSource,
        Position,
        Range,
        Selection,
        Uri,
        TextEdit,
        WorkspaceEdit,
        InlineCompletionItem,
        ThemeColor,
        Location,
        SnippetString,
        CallHierarchyItem,
        CodeLens,
        CompletionItem,
        DocumentLink,
        InlayHint,
        SymbolInformation,
        TypeHierarchyItem,
        CodeAction,
        Diagnostic,
        StatusBarAlignment: { Left: 1, Right: 2 },
        ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
        ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
        QuickPickItemKind: { Separator: -1, Default: 0 },
        InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
        window: tolerant(rec, 'window', window),
        workspace: tolerant(rec, 'workspace', workspace),
        languages: tolerant(rec, 'languages', languages),
        commands: tolerant(rec, 'commands', commands),
        extensions: { getExtension: (id: string) => rec.extensions[id] },
        env: {
            language: 'en',
            appName: 'Code',
            machineId: 'test',
            clipboard: {
                writeText: (text: string) => {
                    rec.clipboard = text;
                    return Promise.resolve();
                },
            },
        },
    });
}
