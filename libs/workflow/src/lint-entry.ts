/**
 * `@slipway/workflow/lint`: reading files and linting them, without the evaluators, substitution
 * and submission the package's main entry also brings (what `slipway lint` needs, and loads faster).
 */
export * from './yaml/index.js';
export * from './lint/index.js';
export type { TemplateLibrary } from './library/template-library.js';
