// ESLint flat config. Light on style (tsc --strict does the heavy checking); its real job is the
// purity rule: src/core and src/protocol import no VS Code, no Node built-ins and use no Node or
// browser globals, so the same code runs in the extension's worker, the CLI, the tests and a
// browser worker. src/core/tsconfig.json (no Node types, no DOM) backs it up at type-check time,
// and test/unit/purity.test.ts checks that the rule still fires.

import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules the pure core may not import: VS Code and every Node built-in (`node:*` is a pattern below). */
const IMPURE_MODULES = ['vscode', ...builtinModules.filter((m) => !m.startsWith('_'))];

/** Globals that exist only in Node or only in a browser. */
const IMPURE_GLOBALS = ['process', 'require', 'window', 'document', 'Buffer', '__dirname', '__filename', 'global'];

const PURE = 'src/core and src/protocol stay pure (see DESIGN.md): the host passes text in and results out.';

export default defineConfig(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // An interpreter for C loops with `for (;;)` and `while (true)` on purpose.
      'no-constant-condition': ['error', { checkLoops: false }],
      // Switches over token and node kinds declare consts per case; tsc checks fallthrough.
      'no-case-declarations': 'off',
      // The C front end matches control characters (\x00, \x1b) in regexes deliberately.
      'no-control-regex': 'off',
      // Style findings that tsc does not make: shown, but they do not fail `npm run lint`.
      'prefer-const': 'warn',
      'no-useless-assignment': 'warn',
      // C semantics sometimes need `any` at the edges: flag it, do not fail the build on it.
      '@typescript-eslint/no-explicit-any': 'warn',
      // tsc's noUnusedLocals/noUnusedParameters report these too; `_name` marks a deliberate unused.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Build and test tooling in plain JavaScript runs on Node.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['console', 'process', 'require', 'module', '__dirname', '__filename', 'Buffer', 'setTimeout', 'clearTimeout'].map(
          (g) => [g, 'readonly'],
        ),
      ),
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      // The typescript-eslint version also covers `import type` and `import x = require(...)`.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: IMPURE_MODULES.map((name) => ({ name, message: `No '${name}' here. ${PURE}` })),
          patterns: [{ group: ['node:*'], message: `No Node built-ins here. ${PURE}` }],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...IMPURE_GLOBALS.map((name) => ({ name, message: `No '${name}' here. ${PURE}` })),
      ],
      // `import('fs')` would slip past the import rule.
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: `No dynamic import here. ${PURE}` },
      ],
    },
  },
);
