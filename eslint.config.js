// ESLint 9 flat config: typescript-eslint's type-aware recommended rules over every TypeScript file that tsconfig.json
// type-checks. Layering (which folder may import which) is checked by dependency-cruiser (.dependency-cruiser.cjs),
// formatting by Prettier; neither is restated here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'reports/', 'test-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_name` marks a parameter or binding kept for its position or its documentation value.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Off: engines, targets and test fakes implement Promise-returning interfaces (`close()`, `load()`), and an
      // `async` method with nothing to await is the plainest way to satisfy one.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read result.json / analysis.json / vega specs back with JSON.parse and poke at them: `any` there is the
    // point of the test (the file as written), not a hole in the types of the code under test.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
