import next from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import prettier from 'eslint-config-prettier';

const config = [
  { ignores: ['.next/**', 'out/**', 'node_modules/**', 'test-results/**', 'next-env.d.ts'] },
  ...next,
  ...nextTs,
  prettier,
  {
    files: ['e2e/**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
];

export default config;
