/**
 * Messages quote keys and values from the user's file, and file names come from the disk:
 * control characters in them must not reach the terminal (escape sequences, fake lines), nor
 * bidirectional overrides that make a line read differently from what it says, nor characters
 * that show nothing (zero-width spaces and joiners, direction marks, U+FEFF), which would make
 * `finance-agent` and `finance-agent` followed by one look alike; nor U+2028 and U+2029, line
 * breaks to some readers. Tabs stay.
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
