/**
 * The `leanstep.*` settings, read from their one source: `contributes.configuration` in
 * package.json (names, types, defaults, enums and minimums). Pure, so it is unit-tested;
 * `settings.ts` binds it to VS Code's configuration.
 *
 * Invariants:
 * - Every key in `SETTING_KEYS` is declared in package.json and vice versa (unit test and
 *   `tests/lsp/test_settings_mirror.py`); there is no second list of defaults here.
 * - A value that breaks its schema reads as the default.
 * - An empty default ("" or []) means "unset": it reads as null, so the server uses its
 *   `leanstep.toml` or built-in default. That keeps every setting editable in the Settings UI.
 * - `LeanstepSettings` nests exactly as VS Code nests the dotted keys, so `initializationOptions`,
 *   the answer to `workspace/configuration` for `leanstep`, and `didChangeConfiguration` agree.
 */

import manifest from '../../package.json';

export type PolicyBackend = 'hf' | 'vllm' | 'openai';
export type TraceLevel = 'off' | 'messages' | 'verbose';

export const SECTION = 'leanstep';

export const SETTING_KEYS = [
    'serverPath',
    'serverArgs',
    'pythonPath',
    'policy.backend',
    'policy.model',
    'policy.endpoint',
    'policy.device',
    'policy.temperature',
    'search.expansions',
    'search.width',
    'search.wallTimeS',
    'suggestions.count',
    'inline.enabled',
    'inline.debounceMs',
    'planner.endpoint',
    'planner.model',
    'lean.replCommand',
    'lean.projectDir',
    'lean.timeoutS',
    'trace.server',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export interface LeanstepSettings {
    serverPath: string;
    serverArgs: string[];
    pythonPath: string | null;
    policy: {
        backend: PolicyBackend | null;
        model: string | null;
        endpoint: string | null;
        device: string | null;
        temperature: number | null;
    };
    search: { expansions: number | null; width: number | null; wallTimeS: number | null };
    suggestions: { count: number | null };
    inline: { enabled: boolean; debounceMs: number };
    planner: { endpoint: string | null; model: string | null };
    lean: { replCommand: string[] | null; projectDir: string | null; timeoutS: number | null };
    trace: { server: TraceLevel };
}

export interface SettingSchema {
    type: string | string[];
    default: unknown;
    enum?: unknown[];
    minimum?: number;
    exclusiveMinimum?: number;
    items?: { type: string };
}

const PROPERTIES = manifest.contributes.configuration.properties as Record<string, SettingSchema>;

/** The schema of `leanstep.<key>` in package.json. */
export function schemaOf(key: string): SettingSchema {
    const schema = PROPERTIES[`${SECTION}.${key}`];
    if (schema === undefined) {
        throw new Error(`package.json declares no setting ${SECTION}.${key}`);
    }
    return schema;
}

/** The setting names package.json declares, without the `leanstep.` prefix. */
export function declaredKeys(): string[] {
    return Object.keys(PROPERTIES).map((k) => k.slice(SECTION.length + 1));
}

function types(schema: SettingSchema): string[] {
    return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function fits(value: unknown, schema: SettingSchema): boolean {
    if (value === null) {
        return types(schema).includes('null');
    }
    if (schema.enum !== undefined && !schema.enum.includes(value)) {
        return false;
    }
    const inRange = (n: number): boolean =>
        (schema.minimum === undefined || n >= schema.minimum) && (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum);
    return types(schema).some((t) => {
        switch (t) {
            case 'string':
                return typeof value === 'string';
            case 'boolean':
                return typeof value === 'boolean';
            case 'integer':
                return typeof value === 'number' && Number.isInteger(value) && inRange(value);
            case 'number':
                return typeof value === 'number' && Number.isFinite(value) && inRange(value);
            case 'array':
                return Array.isArray(value) && value.every((v) => typeof v === 'string');
            default:
                return false;
        }
    });
}

function isEmpty(value: unknown): boolean {
    return (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** `raw` validated against the schema of `key` (else its default); strings trimmed; empty → null
 *  where the default is empty. */
export function readSetting(key: SettingKey, raw: unknown): unknown {
    const schema = schemaOf(key);
    const value: unknown = raw === undefined || !fits(raw, schema) ? schema.default : raw;
    const unsetWhenEmpty = isEmpty(schema.default);
    if (isEmpty(value)) {
        return unsetWhenEmpty ? null : schema.default;
    }
    if (typeof value === 'string') {
        return value.trim();
    }
    return Array.isArray(value) ? [...(value as string[])] : value;
}

/** Every setting, nested by its dotted name; `raw(key)` gives the configured value or undefined. */
export function readSettings(raw: (key: SettingKey) => unknown): LeanstepSettings {
    const out: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) {
        const parts = key.split('.');
        let node = out;
        for (const part of parts.slice(0, -1)) {
            node = (node[part] ??= {}) as Record<string, unknown>;
        }
        node[parts.at(-1) ?? key] = readSetting(key, raw(key));
    }
    return out as unknown as LeanstepSettings;
}

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
