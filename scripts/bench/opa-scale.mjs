// The `opa-scale` benchmark: real OPA (`opa run --server`) on the emitted Rego and data for
// 10 to 10,000 generated agents, one fixed input aimed at one agent. Reports the latency a
// client sees (HTTP over a keep-alive connection included) and OPA's own evaluation time
// (`timer_rego_query_eval_ns` from `?metrics=true`), which is what the scale goal is about.
//
// Each size is measured twice: right after the load, and in steady state, once Go's garbage
// collector has run twice since the load. Until the heap has grown to its working size once,
// decisions' garbage lands on heap pages the process has never touched, and each first touch
// is a page fault: with 10,000 agents (a live heap of about 2 GB, whose next collection is
// gigabytes of allocation away) that was 17-20 faults per decision and up to twice the
// evaluation time, while with 10 agents the collector runs within the warm-up. The steady
// state is what a long-running OPA serves; the goal rows use it, and the rows give both, with
// the page faults per decision (/proc/PID/stat minflt).
//
// The steady state is measured over STEADY_REQUESTS decisions, long enough to take in what
// recurs: at 10,000 agents a collection every ~20,000 decisions, whose mark phase runs ~2 s
// beside the decisions. A 2,000-decision window right after a collection missed it: p99
// 1.28 ms there, 1.44-1.60 ms over 30,000 decisions (GODEBUG=gctrace=1, 2026-11-26). After
// one collection only, the heap can still be growing to its working size (a run whose first
// collection came 2,500 decisions in faulted 20 times per decision all through the window).
//
// The bundles are built with normalize() + emitRego() from the parsed YAML rather than with
// compile(): compile() validates and records source lines, which at 10,000 agents costs
// minutes (the `compile` benchmark measures it), and neither changes what OPA evaluates.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { normalize } from '../../dist/compiler/normalize.js';
import { emitRego } from '../../dist/compiler/rego/emit-rego.js';
import { evaluate } from '../../dist/engine/evaluate.js';
import { generatePolicies } from './policies.mjs';
import { duration, elapsedMs, int, loadNote, percentile } from './stats.mjs';

// AEGIS_BENCH_OPA_SIZES=10,100 runs fewer sizes while working on the benchmark itself.
const SIZES = (process.env.AEGIS_BENCH_OPA_SIZES ?? '10,100,1000,10000').split(',').map(Number);
const WARMUP = 500;
const REQUESTS = 2000;
const STEADY_REQUESTS = 20_000;
const READY_TIMEOUT_MS = 300_000;
// Steady state: decisions in batches until OPA reports SETTLE_COLLECTIONS collections since the load.
const SETTLE_COLLECTIONS = 2;
const SETTLE_BATCH = 200;
const SETTLE_MAX_REQUESTS = 500_000;

/** A call to tool-1 of one enforce-mode agent that passes every check: the longest path. */
export function inputFor(agents) {
  const i = Math.floor(agents / 2) + 1;
  return {
    agent: { id: `agent-${i}`, tenant: `tenant-${i % 17}`, claims: { team: 'payments' } },
    tool: { name: 'tool-1', action: 'create' },
    params: {
      amount: 120,
      currency: 'EUR',
      recipient: { country: 'DE' },
      memo: 'invoice 2026-114, net 30',
      quantity: 3,
      environment: 'staging',
      region: 'eu-central-1',
    },
    egress: { host: 'billing.internal.example.com' },
    context: {
      time: '2026-11-25T10:30:00Z',
      region: 'eu-west-1',
      cost_usd: 0.2,
      usage: { tool_rps: 1, agent_rps: 4, tool_spend_today_usd: 12.5, agent_spend_today_usd: 80 },
    },
  };
}

/** The generated policies as an OPA bundle directory (data.json and the Rego modules). */
export function buildBundle(dir, agents) {
  const sources = join(dir, 'policies');
  const bundle = join(dir, 'bundle');
  mkdirSync(sources);
  mkdirSync(bundle);
  generatePolicies(sources, agents);
  const policies = readdirSync(sources)
    .sort()
    .map((name) => ({
      policy: parseYaml(readFileSync(join(sources, name), 'utf8')),
      file: name,
      line: 1,
    }));
  const ir = normalize(policies);
  const { modules, data } = emitRego(ir);
  for (const module of modules) {
    const target = join(bundle, ...module.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, module.text);
  }
  const json = JSON.stringify(data);
  writeFileSync(join(bundle, 'data.json'), json);
  return { ir, bundle, dataBytes: json.length };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function call(agent, port, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startOpa(opa, bundle) {
  const port = await freePort();
  const args = ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error'];
  // As the README recommends for the data plane: data kept as AST values, not re-converted per read.
  args.push('--skip-version-check', '--optimize-store-for-read-speed', '--bundle', bundle);
  const child = spawn(opa, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const start = process.hrtime.bigint();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`opa exited: ${stderr.slice(0, 1000)}`);
    if (elapsedMs(start) > READY_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error('opa was not ready in time');
    }
    const health = await call(agent, port, 'GET', '/health?bundles').catch(() => undefined);
    if (health?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const loadMs = elapsedMs(start);
  const stop = async () => {
    agent.destroy();
    child.kill('SIGTERM');
    await exited;
  };
  return { child, port, agent, loadMs, stop };
}

/**
 * `opa bench`: the same query in-process (no HTTP), Go's benchmark loop; nanoseconds. With the
 * store set up as for the server above (readOptimized), or as OPA's by default, which converts
 * what the query reads of the data to its own values again in every query.
 */
function opaBench(opa, bundle, inputFile, readOptimized = true) {
  const args = ['bench', '--bundle', bundle, '--input', inputFile, '--format', 'json'];
  if (readOptimized) args.push('--optimize-store-for-read-speed');
  const run = spawnSync(opa, [...args, 'data.aegis.decision'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`opa bench failed: ${run.stderr.slice(0, 1000)}`);
  const result = JSON.parse(run.stdout);
  const extra = result.Extra ?? {};
  return {
    perOp: result.T / result.N,
    median: extra.histogram_timer_rego_query_eval_ns_median,
    p99: extra['histogram_timer_rego_query_eval_ns_99%'],
    allocs: result.MemAllocs / result.N,
  };
}

/** Minor page faults of a process so far (field 10 of /proc/PID/stat). */
function minorFaults(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

/** Go's garbage collections in OPA so far, from its Prometheus metrics. */
async function gcCycles(agent, port) {
  const res = await call(agent, port, 'GET', '/metrics');
  const match = /^go_gc_cycles_total_gc_cycles_total (\d+)$/m.exec(res.text);
  if (!match) throw new Error('OPA /metrics has no go_gc_cycles_total_gc_cycles_total');
  return Number(match[1]);
}

/** OPA's evaluation time of `n` decisions, and the page faults they cost. */
async function evalTimes(post, pid, n) {
  const evalNs = new Float64Array(n);
  const handlerNs = new Float64Array(n);
  const faultsBefore = minorFaults(pid);
  for (let i = 0; i < n; i++) {
    const res = await post('/v1/data/aegis/decision?metrics=true');
    const metrics = JSON.parse(res.text).metrics ?? {};
    evalNs[i] = metrics.timer_rego_query_eval_ns;
    handlerNs[i] = metrics.timer_server_handler_ns;
  }
  if (evalNs.some((x) => !Number.isFinite(x))) throw new Error('no timer_rego_query_eval_ns');
  return {
    eval50: percentile(evalNs, 50),
    eval99: percentile(evalNs, 99),
    handler50: percentile(handlerNs, 50),
    handler99: percentile(handlerNs, 99),
    faults: (minorFaults(pid) - faultsBefore) / n,
  };
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

/** Key order does not matter in JSON objects; compare canonical texts. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function measure(opa, agents) {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-bench-opa-'));
  let server;
  try {
    const { ir, bundle, dataBytes } = buildBundle(dir, agents);
    const input = inputFor(agents);
    const body = JSON.stringify({ input });
    server = await startOpa(opa, bundle);
    const { agent, port } = server;
    const post = (path) => call(agent, port, 'POST', path, body);

    // OPA must give the reference evaluator's answer, or the timing is of something else.
    const first = await post('/v1/data/aegis/decision');
    const result = JSON.parse(first.text).result;
    const expected = evaluate(ir, input);
    if (expected.outcome !== 'allow' || expected.policy?.agent !== input.agent.id) {
      throw new Error(`the benchmark input should be allowed: ${JSON.stringify(expected)}`);
    }
    if (canonical(result) !== canonical(expected)) {
      throw new Error(
        `OPA and evaluate() disagree at ${agents} agents: ${first.text.slice(0, 500)} vs ${JSON.stringify(expected)}`,
      );
    }

    const pid = server.child.pid;
    const loadedGcs = await gcCycles(agent, port);
    for (let i = 0; i < WARMUP; i++) await post('/v1/data/aegis/decision');
    const afterLoad = await evalTimes(post, pid, REQUESTS);

    let settling = 0;
    while ((await gcCycles(agent, port)) < loadedGcs + SETTLE_COLLECTIONS) {
      if (settling >= SETTLE_MAX_REQUESTS)
        throw new Error(`not ${SETTLE_COLLECTIONS} garbage collections in ${settling} decisions`);
      for (let i = 0; i < SETTLE_BATCH; i++) await post('/v1/data/aegis/decision');
      settling += SETTLE_BATCH;
    }
    const client = new Float64Array(REQUESTS);
    for (let i = 0; i < REQUESTS; i++) {
      const start = process.hrtime.bigint();
      const res = await post('/v1/data/aegis/decision');
      client[i] = Number(process.hrtime.bigint() - start);
      if (res.status !== 200) throw new Error(`opa answered ${res.status}: ${res.text}`);
    }
    const gcsBefore = await gcCycles(agent, port);
    const steady = await evalTimes(post, pid, STEADY_REQUESTS);
    const collections = (await gcCycles(agent, port)) - gcsBefore;
    const rss = rssMb(pid);
    // Baseline: the HTTP round trip alone, over the same connection.
    const health = new Float64Array(REQUESTS);
    for (let i = 0; i < REQUESTS; i++) {
      const start = process.hrtime.bigint();
      await call(agent, port, 'GET', '/health');
      health[i] = Number(process.hrtime.bigint() - start);
    }
    const loadMs = server.loadMs;
    await server.stop(); // before `opa bench`, so that the two do not share the CPUs
    server = undefined;
    const inputFile = join(dir, 'input.json');
    writeFileSync(inputFile, JSON.stringify(input));
    const bench = opaBench(opa, bundle, inputFile);
    // As OPA runs by default: policy-data.ts lays the data out for this case too (byPosition).
    const benchDefault = opaBench(opa, bundle, inputFile, false);
    return {
      agents,
      outcome: expected.outcome,
      dataMb: dataBytes / 1e6,
      loadMs,
      rssMb: rss,
      bench,
      benchDefault,
      client50: percentile(client, 50),
      client99: percentile(client, 99),
      ...steady,
      collections,
      afterLoad,
      settling,
      health50: percentile(health, 50),
      health99: percentile(health, 99),
    };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function opaScaleBench({ root }) {
  const opa = join(root, '.tools', 'bin', 'opa');
  const load = loadNote();
  const results = [];
  for (const agents of SIZES) {
    const r = await measure(opa, agents);
    results.push(r);
    console.error(
      `opa-scale: ${agents} agents: eval p50 ${duration(r.eval50)} p99 ${duration(r.eval99)} ` +
        `(after the load ${duration(r.afterLoad.eval50)} / ${duration(r.afterLoad.eval99)}), ` +
        `client p50 ${duration(r.client50)} p99 ${duration(r.client99)}, loaded in ${r.loadMs.toFixed(0)} ms`,
    );
  }
  const small = results[0];
  const large = results[results.length - 1];
  const ratio99 = large.eval99 / small.eval99;
  const ratio50 = large.eval50 / small.eval50;
  const clientRatio = large.client99 / small.client99;
  const faults = (x) => `${x.toFixed(1)} page faults per decision`;
  const rows = results.map((r) => [
    `${int(r.agents)} agents (data.json ${r.dataMb.toFixed(1)} MB; OPA ready in ${(r.loadMs / 1000).toFixed(1)} s, ` +
      `RSS ${r.rssMb.toFixed(0)} MB): OPA eval p50 (\`timer_rego_query_eval_ns\`) in steady state: ` +
      `${int(STEADY_REQUESTS)} decisions once ${SETTLE_COLLECTIONS} garbage collections have run since the load ` +
      `(they had ${int(WARMUP + REQUESTS + r.settling)} decisions in), ${int(r.collections)} more among them`,
    duration(r.eval50),
    `eval p99 ${duration(r.eval99)}, ${faults(r.faults)}; handler p50/p99 ${duration(r.handler50)}/${duration(r.handler99)}; ` +
      `client round trip p50/p99 ${duration(r.client50)}/${duration(r.client99)}; ` +
      `right after the load (decisions ${int(WARMUP)} to ${int(WARMUP + REQUESTS)}): eval p50/p99 ` +
      `${duration(r.afterLoad.eval50)}/${duration(r.afterLoad.eval99)}, ${faults(r.afterLoad.faults)}`,
    r === large ? 'goal: eval p99 < 1 ms' : '',
  ]);
  rows.push([
    `\`opa bench\` (in-process, no HTTP): eval median at ${results.map((r) => int(r.agents)).join(' / ')} agents`,
    results.map((r) => duration(r.bench.median)).join(' / '),
    `eval p99 ${results.map((r) => duration(r.bench.p99)).join(' / ')}; ns/op ${results.map((r) => duration(r.bench.perOp)).join(' / ')}; ` +
      `allocations per decision ${results.map((r) => int(r.bench.allocs)).join(' / ')}`,
    '',
  ]);
  rows.push([
    `the same with OPA's default store (no \`--optimize-store-for-read-speed\`: OPA converts what a decision reads from data, every decision)`,
    results.map((r) => duration(r.benchDefault.median)).join(' / '),
    `eval p99 ${results.map((r) => duration(r.benchDefault.p99)).join(' / ')}; ns/op ${results.map((r) => duration(r.benchDefault.perOp)).join(' / ')}; ` +
      `allocations per decision ${results.map((r) => int(r.benchDefault.allocs)).join(' / ')}`,
    '',
  ]);
  rows.push([
    `baseline: \`GET /health\` round trip on the same keep-alive connection (${int(small.agents)} agents)`,
    duration(small.health50),
    `p99 ${duration(small.health99)}`,
    '',
  ]);
  const afterLoad99 = large.afterLoad.eval99 / small.afterLoad.eval99;
  const afterLoad50 = large.afterLoad.eval50 / small.afterLoad.eval50;
  rows.push([
    `${int(large.agents)} / ${int(small.agents)} agents ratio, steady state (decision: \`${large.outcome}\`; ${load})`,
    `eval p99 ${ratio99.toFixed(2)}x`,
    `eval p50 ${ratio50.toFixed(2)}x; client p99 ${clientRatio.toFixed(2)}x; ` +
      `right after the load: eval p99 ${afterLoad99.toFixed(2)}x, p50 ${afterLoad50.toFixed(2)}x`,
    'goal: eval p99 < 2x',
  ]);
  return { command: 'npm run bench -- opa-scale', rows };
}
