import type { ValidateFunction } from 'ajv/dist/2020.js';
import { DIAGNOSTIC_CODES, type Diagnostic } from '../diagnostics.js';
import { encodePointer, type SourceDocument } from './parse.js';
import { createPolicyAjv, policySchema } from './schema/policy-schema.js';
import { validate as validatePrecompiled } from './schema/policy-validator.generated.js';
import { schemaDiagnostics } from './schema/schema-diagnostics.js';
import { indexSchema, type SchemaIndex } from './schema/schema-index.js';

interface Compiled {
  validate: ValidateFunction;
  index: SchemaIndex;
}

let compiled: Compiled | undefined;

/**
 * Compiling costs tens of milliseconds; validating a document afterwards, microseconds. So the
 * validator is built on first use (commands that never validate never pay) and kept.
 */
function compiledSchema(): Compiled {
  if (!compiled) {
    const schema = policySchema();
    // allErrors: report every problem at once. verbose: errors carry their schema object and
    // data, which the mapper needs for hints. The schema itself is checked by the test suite
    // under strict mode, so it is not re-checked against the meta-schema at every start.
    const ajv = createPolicyAjv({ allErrors: true, verbose: true, validateSchema: false });
    compiled = { validate: ajv.compile(schema), index: indexSchema(schema) };
  }
  return compiled;
}

/** JSON Schema check of one document; every error at once, located, with hints. */
export function checkSchema(doc: SourceDocument): Diagnostic[] {
  const { value } = doc;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [
      {
        code: 'invalid-type',
        severity: DIAGNOSTIC_CODES['invalid-type'].severity,
        file: doc.file,
        pointer: '',
        document: doc.index,
        ...doc.locate(''),
        message: 'a policy document must be a mapping',
        hint: Array.isArray(value)
          ? 'got a list; write one policy per document and separate documents with `---`'
          : 'a policy starts with keys such as `agent:` and `allowed_tools:`',
      },
    ];
  }
  const inexact = inexactNumbers(doc);
  // The precompiled yes/no validator answers for clean documents without loading ajv; only a
  // document that fails pays for the full validator that explains why.
  if (validatePrecompiled(value)) return inexact;
  const { validate, index } = compiledSchema();
  if (validate(value)) return inexact;
  return [...schemaDiagnostics(doc, validate.errors ?? [], index), ...inexact];
}

/**
 * Numbers past 2^53 - 1 in magnitude, wherever they are. YAML and JSON are read into doubles,
 * which hold every integer up to 2^53 but not all beyond: `9007199254740993` is read as
 * ...992, and the bundle would tell OPA to compare with that. An account number in a `not_in`
 * list would then let the written account through. Fail closed: refuse them all (no limit in a
 * policy needs numbers that large; an id should be a string).
 */
function inexactNumbers(doc: SourceDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  const walk = (v: unknown, at: (string | number)[]): void => {
    if (typeof v === 'number') {
      if (Math.abs(v) > Number.MAX_SAFE_INTEGER && Number.isFinite(v)) {
        const pointer = encodePointer(at);
        found.push({
          code: 'invalid-value',
          severity: DIAGNOSTIC_CODES['invalid-value'].severity,
          file: doc.file,
          pointer,
          document: doc.index,
          ...doc.locate(pointer),
          message: `a number beyond ±(2^53 - 1) is not exact: it is read as ${v}, and the bundle would hold that`,
          hint: 'an id or account number belongs in a string (quote it); a limit never needs a number this large',
        });
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        at.push(i);
        walk(item, at);
        at.pop();
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        at.push(key);
        walk(item, at);
        at.pop();
      }
    }
  };
  walk(doc.value, []);
  return found;
}
