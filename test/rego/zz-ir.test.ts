import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { irFromFile, ROOT } from './rego-helpers.js';
it('ir', () => {
  const base = irFromFile(join(ROOT, 'fixtures/policies/fintech.yaml'));
  writeFileSync('/tmp/exp/ir.json', JSON.stringify(base.policies[0]));
});
