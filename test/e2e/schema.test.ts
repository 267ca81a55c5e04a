import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILES } from '../../src/commands/schema.js';
import { aegis, REPO, tempDir } from './run-cli.js';

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir('schema');
});
afterAll(() => dir.remove());

describe('aegis schema', () => {
  it('prints the policy schema by default, as JSON', () => {
    const result = aegis(['schema'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.required).toContain('agent');
    expect(result.stdout).toBe(readFileSync(join(REPO, 'schemas', SCHEMA_FILES.policy), 'utf8'));
    expect(aegis(['schema', 'policy'], { cwd: dir.path }).stdout).toBe(result.stdout);
  });

  it.each(['input', 'decision', 'trace', 'test'] as const)(
    '%s: printed as shipped in schemas/',
    (name) => {
      const file = join(REPO, 'schemas', SCHEMA_FILES[name]);
      expect(existsSync(file), file).toBe(true);
      const result = aegis(['schema', name], { cwd: dir.path });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout).$schema).toMatch(/json-schema\.org/);
      expect(result.stdout).toBe(readFileSync(file, 'utf8'));
    },
  );

  it('an unknown name lists the names', () => {
    const result = aegis(['schema', 'polcy'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'aegis: unknown schema `polcy`; one of: policy, input, decision, trace, test\n',
    );
  });
});
