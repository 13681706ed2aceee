import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

/** Calls whose arguments must never be a spread array (see the rule below). */
const NO_ARGUMENT_SPREAD = [
  {
    selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(min|max)$/] > SpreadElement",
    message: 'Math.min/Math.max(...array) overflows the stack on long arrays; use arrayMin/arrayMax/arrayExtent from electron/engine/core/array-extent.ts.',
  },
  {
    selector: 'CallExpression[callee.property.name=/^(push|unshift|splice)$/] > SpreadElement',
    message: 'push/unshift/splice(...array) overflows the stack on long arrays; use appendAll from electron/engine/core/append-all.ts or a loop.',
  },
  {
    selector: "CallExpression[callee.object.name='String'][callee.property.name=/^fromC(harCode|odePoint)$/] > SpreadElement",
    message: 'String.fromCharCode(...array) overflows the stack on long arrays; decode with TextDecoder or in chunks.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'scratch/**',
      'test/fixtures/**',
      'resources/**',
      'hilum-demo-output/**',
    ],
  },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // No spread of a data array into call arguments: every element becomes an argument, and a few hundred
    // thousand of them overflow the stack (RangeError). Use arrayMin/arrayMax/arrayExtent
    // (electron/engine/core/array-extent.ts) and appendAll (electron/engine/core/append-all.ts).
    files: ['electron/**/*.ts', 'renderer/**/*.{ts,vue}', 'scripts/**/*.{js,mjs}'],
    rules: {
      'no-restricted-syntax': ['error', ...NO_ARGUMENT_SPREAD],
    },
  },
  {
    // The engine, CLI, API contract and loopback host never import Electron (docs/architecture.md).
    files: ['electron/engine/**/*.ts', 'electron/cli/**/*.ts', 'electron/api/**/*.ts', 'electron/host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'electron/engine, the CLI, the API contract and the loopback host must run in plain Node.' }] },
      ],
    },
  },
);
