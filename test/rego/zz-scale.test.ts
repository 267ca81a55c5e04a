import { join } from 'node:path';
import { it } from 'vitest';
import { emitRego } from '../../src/compiler/rego/emit-rego.js';
import { irFromFile, ROOT, writeModules } from './rego-helpers.js';

it('scale', () => {
  const base = irFromFile(join(ROOT, 'fixtures/policies/fintech.yaml'));
  const [p] = base.policies;
  if (!p) throw new Error('x');
  for (const n of [10, 10000]) {
    const policies = [];
    for (let i = 0; i < n; i++) {
      const tenant = `t${i % 100}`;
      const agent = `agent-${i}`;
      const copy = JSON.parse(JSON.stringify(p).replaceAll('acme/finance-agent', `${tenant}/${agent}`));
      policies.push({ ...copy, tenant, agent, prefix: `${tenant}/${agent}` });
    }
    writeModules(`/tmp/scale2/${n}`, emitRego({ ...base, policies }));
  }
});
