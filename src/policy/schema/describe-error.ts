/** One ajv error in words: the message, hint and place for each keyword the policy schema uses. */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { DiagnosticCode } from '../../diagnostics.js';
import { encodePointer, type LocateTarget } from '../parse.js';
import { closestMatch } from './closest-match.js';
import {
  actualType,
  decodePointer,
  expectedType,
  listCode,
  showValue,
  subjectAt,
  typeHint,
} from './describe-value.js';
import { placeNoun, placePhrase, type SchemaIndex } from './schema-index.js';

export interface Finding {
  code: DiagnosticCode;
  pointer: string;
  target?: LocateTarget;
  message: string;
  hint?: string;
  /** Identifies the problem, so that ajv reporting it twice yields one diagnostic. */
  key?: string;
  /** unknown-key: the key it probably meant, whose missing-key report it makes redundant. */
  meant?: string;
}

const MIN_ITEMS_HINTS: Readonly<Record<string, string>> = {
  actions: 'leave `actions` out to allow every action of the tool',
  regions: 'leave `regions` out to allow every region',
  all: 'list at least one condition',
  any: 'list at least one condition',
  days: 'list the days the window covers, or leave `days` out for every day',
};

export function describeError(error: ErrorObject, index: SchemaIndex): Finding {
  const { instancePath: pointer, params, data } = error;
  const subject = subjectAt(pointer);
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(error, index);
    case 'required': {
      const key = String(params.missingProperty);
      return {
        code: 'missing-key',
        pointer,
        message: `missing required key \`${key}\` in ${placeNoun(error.parentSchema, index)}`,
        key: `${pointer}\0${key}`,
      };
    }
    case 'type': {
      const operator = index.operators.get(error.parentSchema);
      const got = actualType(data, params.type);
      const hint = typeHint(data, params.type);
      if (operator !== undefined) {
        return {
          code: 'operator-type-mismatch',
          pointer,
          message: `operator \`${operator}\` expects ${expectedType(params.type)}, got ${got}`,
          ...(hint ? { hint } : {}),
        };
      }
      return {
        code: 'invalid-type',
        pointer,
        message: `expected ${expectedType(params.type)}, got ${got} for ${subject}`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'const':
      if (pointer === '/version') {
        return {
          code: 'unsupported-version',
          pointer,
          message: `unsupported policy format version \`${showValue(data)}\``,
          hint: 'this aegis reads format version 1: write `version: 1`, or leave `version` out',
        };
      }
      return {
        code: 'invalid-value',
        pointer,
        message: `${subject} must be \`${showValue(params.allowedValue)}\`, got \`${showValue(data)}\``,
      };
    case 'enum':
      return enumValue(error, index);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const bound = {
        minimum: 'at least',
        maximum: 'at most',
        exclusiveMinimum: 'greater than',
        exclusiveMaximum: 'less than',
      }[error.keyword];
      return {
        code: 'invalid-value',
        pointer,
        message: `${subject} must be ${bound} ${String(params.limit)}, got ${showValue(data)}`,
      };
    }
    default:
      return sizeOrPattern(error);
  }
}

function unknownKey(error: ErrorObject, index: SchemaIndex): Finding {
  const key = String(error.params.additionalProperty);
  const place = placeNoun(error.parentSchema, index);
  const properties = (error.parentSchema as { properties?: object } | undefined)?.properties ?? {};
  const allowed = Object.keys(properties);
  const homes = index.homes.get(key);
  const typo = homes ? undefined : closestMatch(key, allowed);
  let hint: string;
  if (homes)
    hint = `\`${key}\` belongs ${homes.join(' or ')}, not ${placePhrase(error.parentSchema, index.root)}`;
  else if (typo) hint = `did you mean \`${typo}\`?`;
  else hint = `allowed keys here: ${listCode(allowed)}`;
  return {
    code: 'unknown-key',
    pointer: error.instancePath + encodePointer([key]),
    target: 'key',
    message: `unknown key \`${showValue(key)}\` in ${place}`,
    hint,
    ...(typo ? { meant: `${error.instancePath}\0${typo}` } : {}),
  };
}

function enumValue(error: ErrorObject, index: SchemaIndex): Finding {
  const allowed = (error.params.allowedValues as unknown[] | undefined) ?? [];
  const value = error.data;
  const typo = typeof value === 'string' ? closestMatch(value, allowed.map(String)) : undefined;
  const didYouMean = typo ? `did you mean \`${typo}\`? ` : '';
  if (error.parentSchema === index.detector) {
    return {
      code: 'unknown-detector',
      pointer: error.instancePath,
      message: `unknown detector \`${showValue(value)}\``,
      hint: `${didYouMean}built-in detectors: ${listCode(allowed)}; for your own regex use \`patterns\``,
    };
  }
  return {
    code: 'invalid-value',
    pointer: error.instancePath,
    message: `invalid value \`${showValue(value)}\` for ${subjectAt(error.instancePath)}`,
    hint: `${didYouMean}allowed values: ${listCode(allowed)}`,
  };
}

/** Lengths, item counts and patterns; these may concern a key (`propertyNames`) or a value. */
function sizeOrPattern(error: ErrorObject): Finding {
  const { params, data, propertyName } = error;
  const isKey = propertyName !== undefined;
  const pointer = isKey ? error.instancePath + encodePointer([propertyName]) : error.instancePath;
  const subject = isKey ? `key \`${showValue(propertyName)}\`` : subjectAt(pointer);
  const shown = showValue(isKey ? propertyName : data);
  const finding = (message: string, hint?: string): Finding => ({
    code: 'invalid-value',
    pointer,
    ...(isKey ? { target: 'key' as const } : {}),
    message,
    ...(hint ? { hint } : {}),
  });
  const limit = Number(params.limit);
  switch (error.keyword) {
    case 'minLength':
      return finding(
        limit === 1
          ? `${subject} must not be empty`
          : `${subject} must be at least ${limit} characters`,
      );
    case 'maxLength':
      return finding(`${subject} must be at most ${limit} characters`);
    case 'minItems': {
      const last = decodePointer(pointer).at(-1) ?? '';
      const items = limit === 1 ? 'at least one item' : `at least ${limit} items`;
      return finding(`${subject} must list ${items}`, MIN_ITEMS_HINTS[last]);
    }
    case 'maxItems':
      return finding(`${subject} must list at most ${limit} items`);
    case 'pattern': {
      const explained = (error.parentSchema as { patternErrorMessage?: unknown } | undefined)
        ?.patternErrorMessage;
      const expected = typeof explained === 'string' ? explained : 'in the expected format';
      return finding(`${isKey ? 'key ' : ''}\`${shown}\` is not ${expected}`);
    }
    default:
      // A keyword this mapper has no words for yet: still no raw ajv text for the user.
      return finding(`invalid value for ${subject}`);
  }
}
