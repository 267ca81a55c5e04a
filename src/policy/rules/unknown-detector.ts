import { closestMatch } from '../schema/closest-match.js';
import { DETECTOR_NAMES } from '../types.js';
import type { PolicyRule } from './rule.js';
import { toolSites } from './support/walk.js';

const KNOWN: ReadonlySet<string> = new Set(DETECTOR_NAMES);

/**
 * A detector that is not built in. Today the JSON Schema's enum refuses these first (and a
 * document that fails the schema never reaches the rules), so this rule only fires if the
 * schema is loosened; it stays so that the detector list has one guard that does not depend on
 * the schema's shape.
 */
export const unknownDetector: PolicyRule = {
  id: 'unknown-detector',
  check(policies, report) {
    for (const { at, tool, pointer } of toolSites(policies)) {
      (tool.sanitize?.detectors ?? []).forEach((name: string, i) => {
        if (KNOWN.has(name)) return;
        const meant = closestMatch(name, DETECTOR_NAMES);
        report(at, `${pointer}/sanitize/detectors/${i}`, `unknown detector \`${name}\``, {
          hint: meant
            ? `did you mean \`${meant}\`?`
            : `built-in detectors: ${DETECTOR_NAMES.join(', ')}; use \`patterns\` for your own`,
        });
      });
    }
  },
};
