import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    DEFAULTS,
    POLICY_BACKENDS,
    asEnum,
    asNonNegativeInt,
    asOptionalPositiveInt,
    asOptionalString,
    asString,
    asStringArray,
    expandPath,
    serverCommand,
} from '../src/pure/config';

describe('setting coercion', () => {
    it('reads valid values and falls back on invalid ones', () => {
        assert.equal(asString(' /opt/leanstep ', 'leanstep'), '/opt/leanstep');
        assert.equal(asString('', 'leanstep'), 'leanstep');
        assert.equal(asString(3, 'leanstep'), 'leanstep');
        assert.equal(asOptionalString('  '), null);
        assert.equal(asOptionalString(null), null);
        assert.deepEqual(asStringArray(['a', 1], DEFAULTS.serverArgs), ['serve', '--stdio']);
        assert.deepEqual(asStringArray([], DEFAULTS.serverArgs), []);
        assert.equal(asOptionalPositiveInt(600), 600);
        assert.equal(asOptionalPositiveInt(0), null);
        assert.equal(asOptionalPositiveInt(2.5), null);
        assert.equal(asNonNegativeInt(0, 300), 0);
        assert.equal(asNonNegativeInt(-1, 300), 300);
        assert.equal(asEnum('vllm', POLICY_BACKENDS, null), 'vllm');
        assert.equal(asEnum('torch', POLICY_BACKENDS, null), null);
    });
    it('does not share the default array', () => {
        const args = asStringArray(undefined, DEFAULTS.serverArgs);
        args.push('--verbose');
        assert.deepEqual(DEFAULTS.serverArgs, ['serve', '--stdio']);
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
