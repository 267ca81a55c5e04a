import type { ValidationResult } from '../policy/validate.js';
import { passes } from './renderers.js';

export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

export interface Summary {
  status: 'fail' | 'warn' | 'pass';
  text: string;
}

/** The closing line shared by the text and github formats (without symbol or colour). */
export function summarize(result: ValidationResult, strict: boolean): Summary {
  const policies = plural(result.policies, 'policy', 'policies');
  if (!passes(result, strict)) {
    const counts = [
      result.errors > 0 ? plural(result.errors, 'error') : '',
      result.warnings > 0 ? plural(result.warnings, 'warning') : '',
    ].filter(Boolean);
    const files = new Set(result.diagnostics.map((d) => d.file)).size;
    return {
      status: 'fail',
      text: `${counts.join(', ')} in ${plural(files, 'file')} (${policies})`,
    };
  }
  const valid = `${policies} in ${plural(result.files, 'file')} ${result.policies === 1 ? 'is' : 'are'} valid`;
  if (result.warnings > 0) {
    return { status: 'warn', text: `${valid} (${plural(result.warnings, 'warning')})` };
  }
  return { status: 'pass', text: valid };
}
