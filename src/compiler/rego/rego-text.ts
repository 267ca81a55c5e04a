/**
 * Building blocks of module text, laid out as `opa fmt` lays them out: tabs, one blank line
 * between rules, a body on one line only when it is a single short expression.
 */
import type { Effect } from '../../policy/types.js';
import { commentText, regoString } from './terms.js';

/** fmt never breaks lines; past this width a one-expression body goes in braces to read well. */
const ONE_LINE_WIDTH = 100;

/** `# text` lines; each text is made safe for a comment. */
export function comments(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '#' : `# ${commentText(line)}`)).join('\n');
}

/** Indents every line of a (possibly multi-line) expression by one tab. */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `\t${line}`))
    .join('\n');
}

/** ` if expr` or ` if {\n\texpr\n\t...\n}`; empty for no body. */
export function ifBody(body: readonly string[]): string {
  const [only] = body;
  if (body.length === 0 || only === undefined) return '';
  if (body.length === 1 && !only.includes('\n') && only.length <= ONE_LINE_WIDTH - 20) {
    return ` if ${only}`;
  }
  return ` if {\n${body.map(indent).join('\n')}\n}`;
}

/** A rule: optional comment lines, the head, the body. */
export function rule(lead: readonly string[], head: string, body: readonly string[]): string {
  const text = head + ifBody(body);
  return lead.length === 0 ? text : `${comments(lead)}\n${text}`;
}

export interface ReasonText {
  rule: string;
  code: string;
  effect: Effect;
  message: string;
}

/** A reason object over several lines, keys in the order a reviewer reads them. */
export function reasonObject(reason: ReasonText): string {
  return [
    '{',
    `\t"rule": ${regoString(reason.rule)},`,
    `\t"code": ${regoString(reason.code)},`,
    `\t"effect": ${regoString(reason.effect)},`,
    `\t"message": ${regoString(reason.message)},`,
    '}',
  ].join('\n');
}

/** A module: header comments, package line, imports, then rules separated by blank lines. */
export function moduleText(
  header: readonly string[],
  packagePath: string,
  imports: readonly string[],
  rules: readonly string[],
): string {
  const parts = [`${comments(header)}\npackage ${packagePath}`];
  if (imports.length > 0) parts.push(imports.map((path) => `import ${path}`).join('\n'));
  parts.push(...rules);
  return `${parts.join('\n\n')}\n`;
}
