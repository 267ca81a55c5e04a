/**
 * The exit-code policy of `aegis validate`, in process, over canned results (the e2e tests
 * cover the same through real files; these do not depend on which rules exist yet).
 */
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ValidationResult } from '../../src/policy/validate.js';
import { CLEAN, FAILING, WARNINGS_ONLY } from '../render/sample-result.js';

const canned = vi.hoisted(() => ({
  result: undefined as ValidationResult | undefined,
  calls: [] as unknown[],
}));

vi.mock('../../src/policy/validate.js', () => ({
  validate: async (paths: readonly string[], options: unknown) => {
    canned.calls.push({ paths, options });
    if (!canned.result) throw new Error('no canned result');
    return canned.result;
  },
}));

const { run, parseIgnoreCodes } = await import('../../src/commands/validate.js');

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      cwd: '/work/project',
      env: {},
      stdout: (s: string) => {
        out.stdout += s;
      },
      stderr: (s: string) => {
        out.stderr += s;
      },
      color: false,
      interactive: false,
      stdin: new PassThrough(),
    },
  };
}

beforeEach(() => {
  canned.calls = [];
});

describe('validate command', () => {
  it.each([
    ['clean', CLEAN, false, 0],
    ['clean, strict', CLEAN, true, 0],
    ['warnings only', WARNINGS_ONLY, false, 0],
    ['warnings only, strict', WARNINGS_ONLY, true, 1],
    ['errors with an input error', FAILING, false, 2],
    ['errors, no input error', { ...FAILING, inputError: false }, false, 1],
  ] as const)('%s: exit %i', async (_name, result, strict, exit) => {
    canned.result = result;
    const { io: cmdIo, out } = io();
    expect(await run({ paths: ['p'], format: 'json', strict }, cmdIo)).toBe(exit);
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout).valid).toBe(exit === 0);
  });

  it('passes cwd, the cap and the ignored codes to validate(), and keeps no policies', async () => {
    canned.result = CLEAN;
    const { io: cmdIo } = io();
    await run(
      {
        paths: ['a', 'b'],
        maxFileSize: 1234,
        ignore: ['bare-wildcard-egress,unreachable-approval'],
      },
      cmdIo,
    );
    expect(canned.calls).toEqual([
      {
        paths: ['a', 'b'],
        options: {
          cwd: '/work/project',
          maxFileSize: 1234,
          ignore: ['bare-wildcard-egress', 'unreachable-approval'],
          keepPolicies: false,
        },
      },
    ]);
  });

  it('refuses unknown formats and codes before reading anything', async () => {
    const { io: cmdIo } = io();
    await expect(run({ paths: ['p'], format: 'xml' }, cmdIo)).rejects.toThrow(
      /one of: text, json, github, sarif/,
    );
    expect(() => parseIgnoreCodes(['nope'])).toThrow(
      /unknown code `nope`; warning codes: unreachable-approval/,
    );
    expect(() => parseIgnoreCodes(['syntax-error'])).toThrow(/is an error and cannot be ignored/);
    expect(parseIgnoreCodes(['', ' condition-never-holds '])).toEqual(['condition-never-holds']);
    expect(canned.calls).toEqual([]);
  });
});
