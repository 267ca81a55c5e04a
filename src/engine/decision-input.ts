/**
 * Step 1 of section 4: the decision input, checked (docs/semantics.md's "malformed" table) and
 * read into the fields evaluation uses. Anything malformed is `undefined`: `invalid_input`.
 */
import { isObject, type Json, type JsonObject } from './json.js';
import { instantMs, parseRfc3339 } from './rfc3339.js';
import type { Route } from './route.js';

export interface DecisionInput {
  /** The input as given (JSON data); see `fieldRoot` for what `field` conditions read. */
  data: JsonObject;
  /** Set for a replayed call: the usage (and time) its context is read with. */
  overlay: ReplayContext | undefined;
  /** `data` with the overlay applied, once built. */
  root: JsonObject | undefined;
  agentId: string;
  tenant: string | undefined;
  toolName: string;
  action: string | undefined;
  /** The input's params, `{}` when absent. */
  params: JsonObject;
  host: string | undefined;
  region: string | undefined;
  /** `context.time` in ms since the epoch (floored); absent: now. */
  timeMs: number | undefined;
  costUsd: number;
  toolRps: number;
  agentRps: number;
  toolSpend: number;
  agentSpend: number;
}

/**
 * What a replay puts into an input's context (simulator/replay.ts), read without copying the
 * input: `context.usage` replaced by these counters, and `context.time` set to `time` when the
 * context has none. One object, rewritten for every event by its owner.
 */
export interface ReplayContext {
  toolRps: number;
  agentRps: number;
  toolSpend: number;
  agentSpend: number;
  /** `context.time` for an input whose context has none. */
  time: string;
  /**
   * The ms (floored) of the input's own `context.time` when the caller has parsed that very
   * text already (the aegis reader takes each event's time from it); undefined: parse it here.
   */
  timeMs: number | undefined;
  /**
   * `agent.id`, `agent.tenant`, `tool.name` and `tool.action` when the caller has read them from
   * this very input and found them well-formed (objects holding strings; tenant and action
   * possibly absent); undefined: read them here. The evaluator caches the lookups these ids
   * imply on the object (`routes`), so it should be one object per distinct ids, reused.
   */
  ids: CallIds | undefined;
}

export interface CallIds {
  agent: string;
  tenant?: string;
  tool: string;
  action?: string;
  /** Set by the evaluator (route.ts): what these ids look up, per policy set. */
  routes?: Route[];
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
  // Below 0 it would lower what a budget or rate limit compares (docs/semantics.md, Step 1).
  return typeof v === 'number' && v >= 0 ? v : MALFORMED;
}

/** The input's params object, or `{}`: what steps 1 and 2 report back. */
export function inputParams(data: Json | undefined): JsonObject {
  if (!isObject(data)) return {};
  const params = member(data, 'params');
  return isObject(params) ? params : {};
}

export function readInput(data: Json | undefined): DecisionInput | undefined {
  if (!isObject(data)) return undefined;
  const context = optionalObject(data, 'context');
  if (context === MALFORMED) return undefined;
  const usage = context ? optionalObject(context, 'usage') : undefined;
  if (usage === MALFORMED) return undefined;
  const time = optionalString(context, 'time');
  if (time === MALFORMED) return undefined;
  const toolRps = counter(usage, 'tool_rps');
  const agentRps = counter(usage, 'agent_rps');
  const toolSpend = counter(usage, 'tool_spend_today_usd');
  const agentSpend = counter(usage, 'agent_spend_today_usd');
  if (
    toolRps === MALFORMED ||
    agentRps === MALFORMED ||
    toolSpend === MALFORMED ||
    agentSpend === MALFORMED
  )
    return undefined;
  let timeMs: number | undefined;
  if (time !== undefined) {
    const instant = parseRfc3339(time);
    if (!instant) return undefined;
    timeMs = instantMs(instant);
  }
  return readCall(data, context, undefined, timeMs, toolRps, agentRps, toolSpend, agentSpend);
}

/**
 * What readInput gives for `data` with the replay's usage and time put into its context
 * (`{...data, context: {...context, time: context.time ?? overlay.time, usage}}`), without
 * building that object. `data` must be JSON data already (json.ts `isJsonData`) and the
 * counters finite, as they are once serialized.
 */
export function readReplayedInput(
  data: JsonObject,
  overlay: ReplayContext,
): DecisionInput | undefined {
  const context = optionalObject(data, 'context');
  // The replay leaves a context that is not an object as it is: malformed either way.
  if (context === MALFORMED) return undefined;
  let timeMs: number | undefined;
  const own = context ? member(context, 'time') : undefined;
  if (own !== undefined) {
    if (typeof own !== 'string') return undefined;
    timeMs = overlay.timeMs;
    if (timeMs === undefined) {
      const instant = parseRfc3339(own);
      if (!instant) return undefined;
      timeMs = instantMs(instant);
    }
  } else {
    const instant = parseRfc3339(overlay.time);
    if (!instant) return undefined;
    timeMs = instantMs(instant);
  }
  const { toolRps, agentRps, toolSpend, agentSpend } = overlay;
  return readCall(data, context, overlay, timeMs, toolRps, agentRps, toolSpend, agentSpend);
}

/** The rest of step 1, the same for both: ids, params, egress, region, cost. */
function readCall(
  data: JsonObject,
  context: JsonObject | undefined,
  overlay: ReplayContext | undefined,
  timeMs: number | undefined,
  toolRps: number,
  agentRps: number,
  toolSpend: number,
  agentSpend: number,
): DecisionInput | undefined {
  let agentId: string;
  let toolName: string;
  let tenant: string | undefined;
  let action: string | undefined;
  const ids = overlay?.ids;
  if (ids) {
    agentId = ids.agent;
    toolName = ids.tool;
    tenant = ids.tenant;
    action = ids.action;
  } else {
    const agent = member(data, 'agent');
    const tool = member(data, 'tool');
    if (!isObject(agent) || !isObject(tool)) return undefined;
    const id = member(agent, 'id');
    const name = member(tool, 'name');
    if (typeof id !== 'string' || typeof name !== 'string') return undefined;
    const t = optionalString(agent, 'tenant');
    const a = optionalString(tool, 'action');
    if (t === MALFORMED || a === MALFORMED) return undefined;
    agentId = id;
    toolName = name;
    tenant = t;
    action = a;
  }
  const params = optionalObject(data, 'params');
  const egress = optionalObject(data, 'egress');
  if (params === MALFORMED || egress === MALFORMED) return undefined;
  const host = optionalString(egress, 'host');
  const region = optionalString(context, 'region');
  if (host === MALFORMED || region === MALFORMED) return undefined;
  const costUsd = counter(context, 'cost_usd');
  if (costUsd === MALFORMED) return undefined;
  return {
    data,
    overlay,
    root: overlay ? undefined : data,
    agentId,
    tenant,
    toolName,
    action,
    params: params ?? {},
    host,
    region,
    timeMs,
    costUsd,
    toolRps,
    agentRps,
    toolSpend,
    agentSpend,
  };
}

/**
 * The input a `field` condition with this path reads: `data` itself unless the path goes into
 * `context` of a replayed call, whose overlaid input is then built (once).
 */
export function fieldRoot(call: DecisionInput, path: readonly string[]): JsonObject {
  if (call.root) return call.root;
  if (path.length > 0 && path[0] !== 'context') return call.data;
  const { data, overlay } = call;
  const context = data.context;
  const next: JsonObject = { ...(isObject(context) ? context : {}) };
  if (overlay) {
    if (!Object.hasOwn(next, 'time')) next.time = overlay.time;
    next.usage = {
      tool_rps: overlay.toolRps,
      agent_rps: overlay.agentRps,
      tool_spend_today_usd: overlay.toolSpend,
      agent_spend_today_usd: overlay.agentSpend,
    };
  }
  call.root = { ...data, context: next };
  return call.root;
}
