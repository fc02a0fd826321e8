// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Layers are folders; an import across a layer boundary is an error. */
const electronAndDom = {
  paths: [
    { name: 'electron', message: 'core/ runs under plain Node: electron belongs in electron/.' },
  ],
  patterns: [
    {
      group: ['electron/*', '**/electron/**', '**/renderer/**'],
      message: 'core/ must not import the electron or renderer layers.',
    },
  ],
};

/** The window is a sandboxed page: it reaches the main process only through `window.snaptray`. */
const rendererImports = {
  patterns: [
    {
      group: ['**/core/**', '**/electron/**', 'electron', 'node:*', 'fs', 'path', 'child_process'],
      allowTypeImports: true,
      message:
        'renderer/ may only `import type` from other layers; it calls the main process through window.snaptray.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'bench/results/**',
      'test-artifacts/**',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', electronAndDom],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'core/ has no DOM.' },
        { name: 'document', message: 'core/ has no DOM.' },
        { name: 'navigator', message: 'core/ has no DOM.' },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**'],
              message: 'electron/ talks to the window only through the IPC contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', rendererImports],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The window has no Node.js.' },
        { name: 'require', message: 'The window has no Node.js.' },
        { name: 'Buffer', message: 'The window has no Node.js.' },
      ],
    },
  },
);
