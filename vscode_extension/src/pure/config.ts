/**
 * The `leanstep.*` settings: their shape, defaults and validation, and the server command they
 * select. Pure, so it is unit-tested; `settings.ts` binds it to VS Code's configuration.
 *
 * Invariant: `LeanstepSettings` nests exactly as VS Code nests the dotted keys, so the object sent
 * as `initializationOptions`, the answer to `workspace/configuration` for section `leanstep`, and
 * `workspace/didChangeConfiguration` all have one shape. `null` means "not set here": the server
 * then uses its `leanstep.toml` or built-in default.
 */

export type PolicyBackend = 'hf' | 'vllm' | 'openai';
export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface LeanstepSettings {
    serverPath: string;
    serverArgs: string[];
    pythonPath: string | null;
    policy: { backend: PolicyBackend | null; model: string | null; endpoint: string | null };
    search: { expansions: number | null; width: number | null };
    suggestions: { count: number | null };
    inline: { enabled: boolean; debounceMs: number };
    planner: { endpoint: string | null; model: string | null };
    trace: { server: TraceLevel };
}

export const DEFAULTS: LeanstepSettings = {
    serverPath: 'leanstep',
    serverArgs: ['serve', '--stdio'],
    pythonPath: null,
    policy: { backend: null, model: null, endpoint: null },
    search: { expansions: null, width: null },
    suggestions: { count: null },
    inline: { enabled: true, debounceMs: 300 },
    planner: { endpoint: null, model: null },
    trace: { server: 'off' },
};

/** A non-empty trimmed string, else `fallback`. */
export function asString(value: unknown, fallback: string): string {
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** A non-empty trimmed string, else null. */
export function asOptionalString(value: unknown): string | null {
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export function asStringArray(value: unknown, fallback: readonly string[]): string[] {
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : [...fallback];
}

/** A positive integer, else null. */
export function asOptionalPositiveInt(value: unknown): number | null {
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

export function asNonNegativeInt(value: unknown, fallback: number): number {
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

export function asBoolean(value: unknown, fallback: boolean): boolean {
    return typeof value === 'boolean' ? value : fallback;
}

export function asEnum<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T;
export function asEnum<T extends string>(value: unknown, allowed: readonly T[], fallback: null): T | null;
export function asEnum<T extends string>(value: unknown, allowed: readonly T[], fallback: T | null): T | null {
    return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export const POLICY_BACKENDS: readonly PolicyBackend[] = ['hf', 'vllm', 'openai'];
export const TRACE_LEVELS: readonly TraceLevel[] = ['off', 'messages', 'verbose'];

export interface ServerCommand {
    command: string;
    args: string[];
}

/** `${workspaceFolder}` and a leading `~/` expanded, when there is something to expand them to. */
export function expandPath(path: string, workspaceFolder: string | undefined, home: string | undefined): string {
    let out = path;
    if (workspaceFolder !== undefined) {
        out = out.split('${workspaceFolder}').join(workspaceFolder);
    }
    if (home !== undefined && (out === '~' || out.startsWith('~/'))) {
        out = home + out.slice(1);
    }
    return out;
}

/**
 * The server process: `<pythonPath> -m lsp_server <serverArgs…>` when `pythonPath` is set,
 * else `<serverPath> <serverArgs…>` (by default `leanstep serve --stdio`).
 */
export function serverCommand(
    settings: Pick<LeanstepSettings, 'serverPath' | 'serverArgs' | 'pythonPath'>,
    workspaceFolder: string | undefined,
    home: string | undefined,
): ServerCommand {
    const args = settings.serverArgs.map((a) => expandPath(a, workspaceFolder, undefined));
    if (settings.pythonPath !== null) {
        return { command: expandPath(settings.pythonPath, workspaceFolder, home), args: ['-m', 'lsp_server', ...args] };
    }
    return { command: expandPath(settings.serverPath, workspaceFolder, home), args };
}
