/**
 * The explicit YAML tags in a parsed (CST) document: `!!str`, `!!binary`, `!custom`, the
 * non-specific `!`, a verbatim `!<tag:...>`, and whatever a `%TAG` directive names. Policies
 * and test files are plain JSON data, and a tag is a way to write something else (a `!!binary`
 * Buffer, a `!!timestamp` Date, a `!!set`) or to change what a value is (`!!int "3"` is the
 * number 3). The yaml library only warns about the tags it cannot resolve, and keeps the text
 * as a string, so both readers refuse every tag, found here with its position.
 */
import type { CST } from 'yaml';

/** Every tag token under `root`, in source order. */
export function explicitTags(root: CST.Token | undefined): CST.SourceToken[] {
  const tags: CST.SourceToken[] = [];
  // Iterative: a document can be as deep as the yaml parser goes (thousands of levels).
  const stack: CST.Token[] = root ? [root] : [];
  for (let token = stack.pop(); token; token = stack.pop()) {
    if (token.type === 'tag') {
      tags.push(token);
      continue;
    }
    // Tags sit among the tokens before a node (a document's or an item's `start`, a pair's
    // `sep`) and, in a document the parser could not make sense of, among those after it.
    if ('start' in token) stack.push(...(Array.isArray(token.start) ? token.start : [token.start]));
    if ('props' in token) stack.push(...token.props);
    if ('end' in token && token.end) stack.push(...token.end);
    if ('value' in token && token.value) stack.push(token.value);
    if ('items' in token) {
      for (const item of token.items) {
        stack.push(...item.start);
        if (item.sep) stack.push(...item.sep);
        if (item.key) stack.push(item.key);
        if (item.value) stack.push(item.value);
      }
    }
  }
  return tags.sort((a, b) => a.offset - b.offset);
}
