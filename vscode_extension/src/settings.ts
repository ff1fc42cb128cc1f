/**
 * The `leanstep.*` settings from VS Code's configuration, validated by `pure/config.ts` against
 * package.json (their one source).
 */

import { workspace } from 'vscode';
import { SECTION, type LeanstepSettings, type SettingKey, readSettings } from './pure/config';

export { SECTION };

/** Settings whose change needs a server restart (they pick the process). */
export const SERVER_PROCESS_SETTINGS = ['serverPath', 'serverArgs', 'pythonPath'].map((k) => `${SECTION}.${k}`);

/** Every setting, nested as VS Code nests them: the server's `initializationOptions`. */
export function allSettings(): LeanstepSettings {
    const config = workspace.getConfiguration(SECTION);
    return readSettings((key: SettingKey) => config.get<unknown>(key));
}
