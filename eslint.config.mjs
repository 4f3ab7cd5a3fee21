import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layers } from './eslint.layers.mjs';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'plugin/**' /* linted by plugin/eslint.config.mjs: npm run lint -w plugin */, 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['worker/**/*.ts', 'simulator/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Type-aware rules on the TypeScript workspaces (each file is read through its own tsconfig by the project
  // service): a promise nobody awaits or handles loses its error; one passed where a callback's result is ignored
  // (an event handler) runs unobserved.
  {
    files: ['worker/**/*.ts', 'contract/**/*.ts', 'simulator/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  layers,
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
