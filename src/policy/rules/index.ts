import { bareWildcardEgress } from './bare-wildcard-egress.js';
import { conditionNeverHolds } from './condition-never-holds.js';
import { duplicatePolicy } from './duplicate-policy.js';
import { effectAlreadyImplied } from './effect-already-implied.js';
import { egressPatternNotAHost } from './egress-pattern-not-a-host.js';
import { emptyRange } from './empty-range.js';
import { invalidCondition } from './invalid-condition.js';
import { malformedHours } from './malformed-hours.js';
import { minOverMax } from './min-over-max.js';
import { operatorTypeMismatch } from './operator-type-mismatch.js';
import { overlappingActions } from './overlapping-actions.js';
import { patternMatchesEmpty } from './pattern-matches-empty.js';
import { redactWithoutSanitize } from './redact-without-sanitize.js';
import { regexInvalid } from './regex-invalid.js';
import { regexNotRe2 } from './regex-not-re2.js';
import type { SemanticRule } from './rule.js';
import { sanitizeWithoutRedact } from './sanitize-without-redact.js';
import { sharedRuleIds } from './shared-rule-ids.js';
import { unknownDetector } from './unknown-detector.js';
import { unknownTimezone } from './unknown-timezone.js';
import { unreachableApproval } from './unreachable-approval.js';
import { wildcardBesideExplicit } from './wildcard-beside-explicit.js';
import { yamlTruthyString } from './yaml-truthy-string.js';

/**
 * Every semantic rule (POLICY-LANGUAGE.md section 7), errors first, in the section's order.
 * Each module in this directory is one rule; test/rules/index.test.ts checks that every one is
 * listed here exactly once and documented in the README. Helpers live in `support/`.
 */
export const RULES: readonly SemanticRule[] = [
  duplicatePolicy,
  overlappingActions,
  regexNotRe2,
  regexInvalid,
  patternMatchesEmpty,
  unknownTimezone,
  malformedHours,
  minOverMax,
  sanitizeWithoutRedact,
  redactWithoutSanitize,
  unknownDetector,
  invalidCondition,
  operatorTypeMismatch,
  emptyRange,
  unreachableApproval,
  conditionNeverHolds,
  effectAlreadyImplied,
  wildcardBesideExplicit,
  bareWildcardEgress,
  egressPatternNotAHost,
  sharedRuleIds,
  yamlTruthyString,
];
