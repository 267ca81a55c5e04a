import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics.js';
import { relativeUri, renderSarif } from '../../src/render/sarif.js';
import { expectGolden } from './golden.js';
import { CLEAN, FAILING, OPTIONS } from './sample-result.js';

// The SARIF 2.1.0 schema (rtm.5, draft-04) as Microsoft ships it in @microsoft/jest-sarif.
const require = createRequire(import.meta.url);
const sarifSchema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;

function sarifValidator() {
  // The schema's language pattern is not valid with the u flag Ajv uses by default.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat(
    'uri-reference',
    (s: string) => URL.canParse(s, 'file:///base/') && !/[\s\\]/.test(s),
  );
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(sarifSchema);
}

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: { id: string; helpUri: string; shortDescription: { text: string } }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> };
      }[];
    }[];
  }[];
}

describe('renderSarif', () => {
  it('writes SARIF 2.1.0 (golden)', () => {
    expectGolden('validate/sarif.json', renderSarif(FAILING, OPTIONS));
  });

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const validate = sarifValidator();
    for (const result of [FAILING, CLEAN]) {
      const log = JSON.parse(renderSarif(result, OPTIONS));
      expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    }
  });

  it('the schema check is not vacuous', () => {
    const validate = sarifValidator();
    const log = JSON.parse(renderSarif(FAILING, OPTIONS));
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('has what GitHub code scanning needs', () => {
    const log = JSON.parse(renderSarif(FAILING, OPTIONS)) as SarifLog;
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const [run] = log.runs;
    if (!run) throw new Error('no run');
    expect(run.tool.driver).toMatchObject({
      name: 'aegis',
      version: '9.9.9',
      informationUri: OPTIONS.informationUri,
    });
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    expect(ruleIds).toEqual([...new Set(FAILING.diagnostics.map((d) => d.code))].sort());
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text).toBe(
        DIAGNOSTIC_CODES[rule.id as keyof typeof DIAGNOSTIC_CODES].summary,
      );
      expect(rule.helpUri).toBe(`${OPTIONS.informationUri}#${rule.id}`);
    }
    expect(run.results).toHaveLength(FAILING.diagnostics.length);
    run.results.forEach((result, i) => {
      const d = FAILING.diagnostics[i];
      if (!d) throw new Error('missing diagnostic');
      expect(result.ruleId).toBe(d.code);
      expect(ruleIds[result.ruleIndex]).toBe(d.code);
      expect(result.level).toBe(d.severity);
      expect(result.message.text.startsWith(d.message)).toBe(true);
      const [location] = result.locations;
      expect(location?.physicalLocation.region).toEqual({
        startLine: d.line,
        startColumn: d.column,
        endLine: d.endLine,
        endColumn: d.endColumn,
      });
    });
    expect(run.results[0]?.message.text).toContain('\nhint: did you mean `max_amount`?');
    const uris = run.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri);
    expect(uris).toEqual([
      'policies/finance.yaml',
      'policies/finance.yaml',
      'policies/ops%20team/deploy.yaml',
      'file:///abs/missing.yaml',
    ]);
  });

  it("links each rule to its README section, replacing the homepage's own fragment", () => {
    const homepage = 'https://github.com/aegis-policy/aegis#readme';
    const log = JSON.parse(
      renderSarif(FAILING, { ...OPTIONS, informationUri: homepage }),
    ) as SarifLog;
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.helpUri).toBe(`https://github.com/aegis-policy/aegis#${rule.id}`);
    }
  });

  it('makes relative URIs with forward slashes', () => {
    expect(relativeUri('policies\\a b\\x#1.yaml')).toBe('policies/a%20b/x%231.yaml');
  });
});
