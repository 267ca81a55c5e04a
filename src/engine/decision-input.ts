/**
 * Step 1 of section 4: the decision input, checked (docs/semantics.md's "malformed" table) and
 * read into the fields evaluation uses. Anything malformed is `undefined`: `invalid_input`.
 */
import { isObject, type Json, type JsonObject } from './json.js';
import { instantMs, parseRfc3339 } from './rfc3339.js';

export interface DecisionInput {
  root: JsonObject;
  agentId: string;
  tenant?: string;
  toolName: string;
  action?: string;
  /** The input's params, `{}` when absent. */
  params: JsonObject;
  host?: string;
  region?: string;
  /** `context.time` in ms since the epoch (floored); absent: now. */
  timeMs?: number;
  costUsd: number;
  toolRps: number;
  agentRps: number;
  toolSpend: number;
  agentSpend: number;
}

function member(obj: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Present and of the wrong kind is malformed; `null` is present. */
const MALFORMED = Symbol('malformed');

function optionalObject(obj: JsonObject, key: string): JsonObject | undefined | typeof MALFORMED {
  const v = member(obj, key);
  if (v === undefined) return undefined;
  return isObject(v) ? v : MALFORMED;
}

function optionalString(
  obj: JsonObject | undefined,
  key: string,
): string | undefined | typeof MALFORMED {
  if (!obj) return undefined;
  const v = member(obj, key);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : MALFORMED;
}

function counter(obj: JsonObject | undefined, key: string): number | typeof MALFORMED {
  if (!obj) return 0;
  const v = member(obj, key);
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : MALFORMED;
}

/** The input's params object, or `{}`: what steps 1 and 2 report back. */
export function inputParams(data: Json | undefined): JsonObject {
  if (!isObject(data)) return {};
  const params = member(data, 'params');
  return isObject(params) ? params : {};
}

export function readInput(data: Json | undefined): DecisionInput | undefined {
  if (!isObject(data)) return undefined;
  const agent = member(data, 'agent');
  const tool = member(data, 'tool');
  if (!isObject(agent) || !isObject(tool)) return undefined;
  const agentId = member(agent, 'id');
  const toolName = member(tool, 'name');
  if (typeof agentId !== 'string' || typeof toolName !== 'string') return undefined;
  const tenant = optionalString(agent, 'tenant');
  const action = optionalString(tool, 'action');
  const params = optionalObject(data, 'params');
  const egress = optionalObject(data, 'egress');
  const context = optionalObject(data, 'context');
  if (tenant === MALFORMED || action === MALFORMED) return undefined;
  if (params === MALFORMED || egress === MALFORMED || context === MALFORMED) return undefined;
  const usage = context ? optionalObject(context, 'usage') : undefined;
  const host = optionalString(egress, 'host');
  const region = optionalString(context, 'region');
  const time = optionalString(context, 'time');
  if (usage === MALFORMED || host === MALFORMED || region === MALFORMED || time === MALFORMED)
    return undefined;
  const costUsd = counter(context, 'cost_usd');
  const toolRps = counter(usage, 'tool_rps');
  const agentRps = counter(usage, 'agent_rps');
  const toolSpend = counter(usage, 'tool_spend_today_usd');
  const agentSpend = counter(usage, 'agent_spend_today_usd');
  if (
    costUsd === MALFORMED ||
    toolRps === MALFORMED ||
    agentRps === MALFORMED ||
    toolSpend === MALFORMED ||
    agentSpend === MALFORMED
  ) {
    return undefined;
  }
  let timeMs: number | undefined;
  if (time !== undefined) {
    const instant = parseRfc3339(time);
    if (!instant) return undefined;
    timeMs = instantMs(instant);
  }
  return {
    root: data,
    agentId,
    toolName,
    params: params ?? {},
    costUsd,
    toolRps,
    agentRps,
    toolSpend,
    agentSpend,
    ...(tenant !== undefined ? { tenant } : {}),
    ...(action !== undefined ? { action } : {}),
    ...(host !== undefined ? { host } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(timeMs !== undefined ? { timeMs } : {}),
  };
}
