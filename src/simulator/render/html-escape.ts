/**
 * Every string in the HTML report that did not come from this module's own templates goes
 * through h(): trace files are untrusted, and an agent id such as `<script>` or `" onload="`
 * must arrive as text. Control and bidirectional characters are made visible too (printable),
 * so that an id cannot pretend to be another one on screen.
 */
import { printable } from '../../render/printable.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or a double- or single-quoted attribute value. */
export function h(text: string): string {
  return printable(text).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

/** A number for an SVG attribute: short, and never `NaN` or `Infinity`. */
export function num(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : '0';
}
