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

  it('takes --format json, the only format it prints; any other is a usage error naming json', async () => {
    const plain = aegis(['schema', 'input'], { cwd: dir.path });
    const json = aegis(['schema', 'input', '--format', 'json'], { cwd: dir.path });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toBe(plain.stdout);
    expect(aegis(['schema', '--format', 'json'], { cwd: dir.path }).stdout).toBe(
      readFileSync(join(REPO, 'schemas', SCHEMA_FILES.policy), 'utf8'),
    );
    const text = aegis(['schema', '--format', 'text'], { cwd: dir.path });
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toBe(
      "error: option '--format <format>' argument 'text' is invalid. Allowed choices are json.\n",
    );
    expect(aegis(['schema', '--help'], { cwd: dir.path }).stdout).toMatch(
      /--format <format> +output format \(choices: "json", default: "json"\)/,
    );
    // The command module refuses it too, called without the command line.
    const { run } = await import('../../src/commands/schema.js');
    const io = { cwd: dir.path, env: {}, stdout: () => {}, stderr: () => {} };
    await expect(run({ format: 'yaml' }, io as never)).rejects.toThrow(
      'unknown format `yaml`; one of: json',
    );
  });

  it('an unknown name lists the names', () => {
    const result = aegis(['schema', 'polcy'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'aegis: unknown schema `polcy`; one of: policy, input, decision, trace, test\n',
    );
  });
});
