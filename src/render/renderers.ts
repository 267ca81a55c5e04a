/**
 * The output formats of `aegis validate`, one pure function each (STYLE.md 7), chosen from a
 * map so that `--format` choices and renderers cannot drift apart.
 */
import type { ValidationResult } from '../policy/validate.js';
import { renderGithub } from './github.js';
import { renderJson } from './json.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export interface RenderOptions {
  /** ANSI colour; the caller decides (TTY, NO_COLOR, CI), never the renderer. */
  color: boolean;
  /** `--strict`: warnings fail too, which changes the verdict the output states. */
  strict: boolean;
  /** The aegis version, for SARIF's tool.driver. */
  version: string;
  /** Where the documentation lives; SARIF rule help links are it with `#<code>` as the fragment. */
  informationUri: string;
}

export type ValidationRenderer = (result: ValidationResult, options: RenderOptions) => string;

export const VALIDATION_RENDERERS = {
  text: renderText,
  json: renderJson,
  github: renderGithub,
  sarif: renderSarif,
} as const satisfies Record<string, ValidationRenderer>;

export type ValidationFormat = keyof typeof VALIDATION_RENDERERS;

export function isValidationFormat(name: string): name is ValidationFormat {
  return Object.hasOwn(VALIDATION_RENDERERS, name);
}

/** The verdict every format states: errors fail, and with `--strict` warnings fail too. */
export function passes(result: ValidationResult, strict: boolean): boolean {
  return result.errors === 0 && !(strict && result.warnings > 0);
}
