/**
 * One typed getter per `leanstep.*` setting (validated by `pure/config.ts`; an invalid value reads
 * as the default). The keys and defaults here match `contributes.configuration` in package.json.
 */

import { workspace } from 'vscode';
import {
    DEFAULTS,
    POLICY_BACKENDS,
    TRACE_LEVELS,
    asBoolean,
    asEnum,
    asNonNegativeInt,
    asOptionalPositiveInt,
    asOptionalString,
    asString,
    asStringArray,
    type LeanstepSettings,
    type PolicyBackend,
    type TraceLevel,
} from './pure/config';

export const SECTION = 'leanstep';

/** Settings whose change needs a server restart (they pick the process). */
export const SERVER_PROCESS_SETTINGS = ['serverPath', 'serverArgs', 'pythonPath'].map((k) => `${SECTION}.${k}`);

function raw(key: string): unknown {
    return workspace.getConfiguration(SECTION).get<unknown>(key);
}

export const serverPath = (): string => asString(raw('serverPath'), DEFAULTS.serverPath);
export const serverArgs = (): string[] => asStringArray(raw('serverArgs'), DEFAULTS.serverArgs);
export const pythonPath = (): string | null => asOptionalString(raw('pythonPath'));
export const policyBackend = (): PolicyBackend | null => asEnum(raw('policy.backend'), POLICY_BACKENDS, null);
export const policyModel = (): string | null => asOptionalString(raw('policy.model'));
export const policyEndpoint = (): string | null => asOptionalString(raw('policy.endpoint'));
export const searchExpansions = (): number | null => asOptionalPositiveInt(raw('search.expansions'));
export const searchWidth = (): number | null => asOptionalPositiveInt(raw('search.width'));
export const suggestionsCount = (): number | null => asOptionalPositiveInt(raw('suggestions.count'));
export const inlineEnabled = (): boolean => asBoolean(raw('inline.enabled'), DEFAULTS.inline.enabled);
export const inlineDebounceMs = (): number => asNonNegativeInt(raw('inline.debounceMs'), DEFAULTS.inline.debounceMs);
export const plannerEndpoint = (): string | null => asOptionalString(raw('planner.endpoint'));
export const plannerModel = (): string | null => asOptionalString(raw('planner.model'));
export const traceServer = (): TraceLevel => asEnum(raw('trace.server'), TRACE_LEVELS, DEFAULTS.trace.server);

/** Every setting, nested as VS Code nests them: the server's `initializationOptions`. */
export function allSettings(): LeanstepSettings {
    return {
        serverPath: serverPath(),
        serverArgs: serverArgs(),
        pythonPath: pythonPath(),
        policy: { backend: policyBackend(), model: policyModel(), endpoint: policyEndpoint() },
        search: { expansions: searchExpansions(), width: searchWidth() },
        suggestions: { count: suggestionsCount() },
        inline: { enabled: inlineEnabled(), debounceMs: inlineDebounceMs() },
        planner: { endpoint: plannerEndpoint(), model: plannerModel() },
        trace: { server: traceServer() },
    };
}
