// ESLint for the TypeScript SDK: typescript-eslint's strict, type-checked rules, as
// the console uses (web/eslint.config.js).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Playwright compiles these itself, so the build's tsconfig leaves them out; they are
        // type-checked here with its compiler options.
        projectService: { allowDefaultProject: ['playwright.config.ts', 'test/browser/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  // Track checksums every record with this sliced-by-8 loop over typed arrays; `?? 0` on
  // each of its 16 reads measured ~20-40% slower on 250-byte records, and the indices are
  // in range by construction (table lanes are & 0xff, byte reads are bounded by `end`).
  { files: ['src/crc32.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
  // node:test tracks the promises test() returns itself (top-level calls are not awaited).
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it'] }],
      }],
    },
  },
  // Playwright fixtures take their dependencies as a destructured first argument, {} when none.
  { files: ['test/browser/**/*.ts'], rules: { 'no-empty-pattern': 'off' } },
);
