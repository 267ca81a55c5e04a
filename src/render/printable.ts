/**
 * Messages quote keys and values from the user's file, and file names come from the disk:
 * control characters in them must not reach the terminal (escape sequences, fake lines), nor
 * bidirectional overrides that make a line read differently from what it says.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
