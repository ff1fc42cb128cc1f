import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SETTING_KEYS, declaredKeys, expandPath, readSetting, readSettings, schemaOf, serverCommand } from '../src/pure/config';

describe('settings from package.json', () => {
    it('reads exactly the settings package.json declares', () => {
        assert.deepEqual([...SETTING_KEYS].sort(), declaredKeys().sort());
    });
    it('takes defaults from package.json', () => {
        const s = readSettings(() => undefined);
        assert.equal(s.serverPath, 'leanstep');
        assert.deepEqual(s.serverArgs, ['serve', '--stdio']);
        assert.equal(s.inline.debounceMs, schemaOf('inline.debounceMs').default);
        assert.equal(s.inline.enabled, true);
        assert.equal(s.trace.server, 'off');
        assert.deepEqual(s.policy, { backend: null, model: null, endpoint: null, device: null, temperature: null });
        assert.deepEqual(s.lean, { replCommand: null, projectDir: null, timeoutS: null });
    });
    it('reads an empty string or list as unset (the Settings UI can clear them)', () => {
        assert.equal(readSetting('policy.model', ''), null);
        assert.equal(readSetting('policy.model', '  /models/step  '), '/models/step');
        assert.equal(readSetting('pythonPath', ' '), null);
        assert.equal(readSetting('policy.backend', ''), null);
        assert.equal(readSetting('policy.backend', 'vllm'), 'vllm');
        assert.equal(readSetting('lean.replCommand', []), null);
        assert.deepEqual(readSetting('lean.replCommand', ['lake', 'exe', 'repl']), ['lake', 'exe', 'repl']);
    });
    it('falls back to the default on a value that breaks the schema', () => {
        assert.equal(readSetting('policy.backend', 'torch'), null);
        assert.equal(readSetting('search.expansions', 0), null);
        assert.equal(readSetting('search.expansions', 2.5), null);
        assert.equal(readSetting('search.expansions', 600), 600);
        assert.equal(readSetting('search.wallTimeS', 0), null);
        assert.equal(readSetting('search.wallTimeS', 2.5), 2.5);
        assert.equal(readSetting('inline.debounceMs', -1), schemaOf('inline.debounceMs').default);
        assert.equal(readSetting('inline.debounceMs', 0), 0);
        assert.equal(readSetting('serverPath', ''), 'leanstep');
        assert.equal(readSetting('serverPath', 3), 'leanstep');
        assert.deepEqual(readSetting('serverArgs', ['a', 1]), ['serve', '--stdio']);
        assert.deepEqual(readSetting('serverArgs', []), ['serve', '--stdio']);
        assert.equal(readSetting('trace.server', 'loud'), 'off');
    });
    it('does not share the default array', () => {
        const args = readSetting('serverArgs', undefined) as string[];
        args.push('--verbose');
        assert.deepEqual(schemaOf('serverArgs').default, ['serve', '--stdio']);
    });
    it('nests dotted keys as VS Code does', () => {
        const s = readSettings((k) => (k === 'suggestions.count' ? 5 : k === 'policy.model' ? '/m' : undefined));
        assert.deepEqual(s.suggestions, { count: 5 });
        assert.equal(s.policy.model, '/m');
    });
});

describe('serverCommand', () => {
    const base = { serverPath: 'leanstep', serverArgs: ['serve', '--stdio'], pythonPath: null };

    it('runs leanstep serve --stdio by default', () => {
        assert.deepEqual(serverCommand(base, '/w', '/home/u'), { command: 'leanstep', args: ['serve', '--stdio'] });
    });
    it('runs python -m lsp_server when pythonPath is set', () => {
        assert.deepEqual(serverCommand({ ...base, pythonPath: '${workspaceFolder}/.venv/bin/python' }, '/w', '/home/u'), {
            command: '/w/.venv/bin/python',
            args: ['-m', 'lsp_server', 'serve', '--stdio'],
        });
    });
    it('expands ~ and ${workspaceFolder} in the executable', () => {
        assert.deepEqual(serverCommand({ ...base, serverPath: '~/bin/leanstep' }, undefined, '/home/u').command, '/home/u/bin/leanstep');
        assert.equal(expandPath('${workspaceFolder}/x', undefined, '/h'), '${workspaceFolder}/x');
        assert.equal(expandPath('~user/x', '/w', '/h'), '~user/x');
    });
});
