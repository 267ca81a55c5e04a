import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { emitRego } from '../../src/compiler/rego/emit-rego.js';
import { irFromFile, ROOT, writeModules } from './rego-helpers.js';

it('dumps', () => {
  const dir = join(ROOT, 'fixtures/policies');
  for (const f of readdirSync(dir)) {
    const ir = irFromFile(join(dir, f));
    writeModules(`/tmp/emitted/${f}`, emitRego(ir));
    writeFileSync(`/tmp/emitted/${f}/data.pretty.json`, JSON.stringify(emitRego(ir).data, null, 2));
  }
});
