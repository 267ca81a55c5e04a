/**
 * `eval --explain`: which checks ran for a call and how each came out. It reads the outcome of
 * every check from the decision itself (a check failed exactly when a reason cites its rule id),
 * so the explanation cannot disagree with the engine that decided.
 */
import type { PolicyIR, PolicySetIR, ReasonTemplate, ToolIR } from '../compiler/ir.js';
import type { Decision } from './decision.js';
import { isObject } from './json.js';
import { findPolicy, policyIndex } from './policy-index.js';

export function explainDecision(ir: PolicySetIR, input: unknown, decision: Decision): string {
  const cited = new Map(decision.reasons.map((r) => [r.rule, r]));
  const out: string[] = [];
  const line = (status: 'pass' | 'FAIL' | 'skip', what: string, template?: ReasonTemplate) => {
    const reason = template && cited.get(template.rule);
    const verdict = reason ? 'FAIL' : status;
    // A passing check shows no message: the template's text says what failing would mean,
    // and printed beside `pass` it reads as if the check had failed.
    const why = reason ? `${reason.code} -> ${reason.effect}: ${reason.message}` : '';
    out.push(`  ${verdict.padEnd(4)}  ${what}${why ? `  (${why})` : ''}`);
  };

  const agent = isObject(input) && isObject(input.agent) ? input.agent : undefined;
  const tool = isObject(input) && isObject(input.tool) ? input.tool : undefined;
  out.push(
    `decision ${decision.decision} (outcome ${decision.outcome}, mode ${decision.mode}) for agent ${String(agent?.id)} tool ${String(tool?.name)}${tool?.action !== undefined ? `/${String(tool.action)}` : ''}`,
  );
  if (decision.reasons.some((r) => r.code === 'invalid_input')) {
    out.push('  FAIL  1 input is well-formed (docs/semantics.md lists what is checked)');
    return `${out.join('\n')}\n`;
  }
  const policy =
    typeof agent?.id === 'string'
      ? findPolicy(
          policyIndex(ir),
          agent.id,
          typeof agent.tenant === 'string' ? agent.tenant : undefined,
        )
      : undefined;
  if (!policy) {
    out.push('  FAIL  2 a policy exists for this agent (and tenant)');
    return `${out.join('\n')}\n`;
  }
  out.push(`  pass  2 policy ${policy.prefix} (${policy.source.file}:${policy.source.line})`);
  // Steps 3 to 5 stop at the first failure: the checks after it did not run. Matched by code,
  // not rule id: the tool and action denials share the rule `<p>/_/tools`.
  const early: [string, string][] = [
    ...(policy.regions
      ? [[`3 region is one of [${policy.regions.join(', ')}]`, 'region_denied'] as [string, string]]
      : []),
    [`4 egress host allowed by [${policy.egress.join(', ')}]`, 'egress_denied'],
    ['5 tool is listed', 'tool_not_allowed'],
    ['5 action is allowed', 'action_not_allowed'],
  ];
  for (const [what, code] of early) {
    const reason = decision.reasons.find((r) => r.code === code);
    if (!reason) {
      out.push(`  pass  ${what}`);
      continue;
    }
    out.push(`  FAIL  ${what}  (${reason.code} -> ${reason.effect}: ${reason.message})`);
    return `${out.join('\n')}\n`;
  }

  const entry = matchedEntry(policy, tool?.name, tool?.action);
  if (entry) {
    out.push(`  6 checks of ${entry.name} (${entry.source.file}:${entry.source.line})`);
    for (const check of entry.params) {
      line(
        'pass',
        `param ${check.path.join('.')} present${check.optional ? ' (optional)' : ''}`,
        check.missing,
      );
      for (const op of check.operators)
        line('pass', `param ${check.path.join('.')} ${op.op}`, op.reason);
    }
    if (entry.amount) {
      line('pass', `amount ${entry.amount.path.join('.')} is a number`, entry.amount.invalid);
      if (entry.amount.max)
        line('pass', `amount <= ${entry.amount.max.limit}`, entry.amount.max.reason);
      if (entry.amount.min)
        line('pass', `amount >= ${entry.amount.min.limit}`, entry.amount.min.reason);
      if (entry.amount.approvalOver) {
        line(
          'pass',
          `amount <= ${entry.amount.approvalOver.limit} (else approval)`,
          entry.amount.approvalOver.reason,
        );
      }
    }
    for (const rule of entry.rules)
      line('pass', `rule ${rule.reason.rule} did not fire`, rule.reason);
    if (entry.rateLimit)
      line('pass', `tool rate <= ${entry.rateLimit.limit} rps`, entry.rateLimit.reason);
    if (entry.budget)
      line('pass', `tool spend <= ${entry.budget.limit} USD/day`, entry.budget.reason);
    if (entry.sanitize) line('pass', 'nothing to redact', entry.sanitize.reason);
  }
  if (policy.rateLimit)
    line('pass', `agent rate <= ${policy.rateLimit.limit} rps`, policy.rateLimit.reason);
  if (policy.budget)
    line('pass', `agent spend <= ${policy.budget.limit} USD/day`, policy.budget.reason);
  for (const r of decision.redactions) out.push(`  redacted ${r.path} (by ${r.by})`);
  return `${out.join('\n')}\n`;
}

function matchedEntry(policy: PolicyIR, name: unknown, action: unknown): ToolIR | undefined {
  const entries = policy.tools.filter((t) => t.name === name);
  return (
    entries.find(
      (t) => t.actions !== '*' && typeof action === 'string' && t.actions.includes(action),
    ) ?? entries.find((t) => t.actions === '*')
  );
}
