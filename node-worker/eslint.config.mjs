// ESLint flat config: the recommended rules, Node globals, and a few that catch async bugs.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    // Fixtures that are broken on purpose, and scratch files.
    ignores: ['node_modules/', 'test/fixtures/broken_syntax.mjs', 'scratch/'],
  },
  js.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-promise-executor-return': 'error',
      'no-await-in-loop': 'off',
      'prefer-const': 'error',
      'no-var': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'require-atomic-updates': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'commonjs',
      globals: { ...globals.node },
    },
  },
];
