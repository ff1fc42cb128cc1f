// ESLint flat config: typescript-eslint's type-checked rules over src/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['out/**', 'out-test/**', 'node_modules/**', '*.vsix'] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            '@typescript-eslint/no-explicit-any': 'error',
            '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
            '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
            eqeqeq: 'error',
        },
    },
    {
        // Pure modules (and the wire types) stay free of `vscode`, so `npm test` can run them in Node.
        files: ['src/pure/**/*.ts', 'src/protocol.ts', 'test/**/*.ts'],
        rules: {
            '@typescript-eslint/no-restricted-imports': [
                'error',
                {
                    paths: [
                        { name: 'vscode', message: 'Pure modules must not import vscode.' },
                        { name: 'vscode-languageclient', message: 'Only type imports here.', allowTypeImports: true },
                        { name: 'vscode-languageclient/node', message: 'Only type imports here.', allowTypeImports: true },
                    ],
                },
            ],
        },
    },
    {
        // node:test's describe/it return promises the runner itself awaits.
        files: ['test/**/*.ts'],
        rules: {
            '@typescript-eslint/no-floating-promises': [
                'error',
                { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it'] }] },
            ],
        },
    },
    {
        files: ['eslint.config.mjs'],
        extends: [tseslint.configs.disableTypeChecked],
    },
);
