/**
 * The report's only stylesheet, inlined: the file must open offline, from an artifact store or
 * a mail attachment, so it uses system fonts and no external resource of any kind.
 */
export const REPORT_CSS = `
:root {
  --bg: #f6f8fa; --card: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --allow: #1a7f37; --sanitize: #0969da; --approval: #9a6700; --deny: #cf222e;
  --deny-soft: #ffebe9; --ok-soft: #dafbe1; --accent: #8250df;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #151b23; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
    --allow: #3fb950; --sanitize: #4493f8; --approval: #d29922; --deny: #f85149;
    --deny-soft: #3c1618; --ok-soft: #12261e; --accent: #ab7df8;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 24px; margin-bottom: 8px; }
h1 { font-size: 22px; margin: 0; font-weight: 600; }
h2 { font-size: 15px; margin: 0 0 12px; font-weight: 600; }
.meta { color: var(--muted); margin: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.meta code { background: var(--card); border: 1px solid var(--line); border-radius: 4px; padding: 1px 5px; }
.verdict { font-size: 18px; font-weight: 600; margin: 12px 0 24px; padding: 12px 16px; border-radius: 8px; border: 1px solid var(--line); }
.verdict.bad { background: var(--deny-soft); border-color: var(--deny); color: var(--deny); }
.verdict.good { background: var(--ok-soft); border-color: var(--allow); color: var(--allow); }
.verdict.warn { border-color: var(--approval); color: var(--approval); }
.verdict .new { font-weight: 500; }
.verdict .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; background: currentColor; margin-right: 10px; vertical-align: 1px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 12px; margin-bottom: 24px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; }
.card.alert .value { color: var(--deny); }
.card.warn .value { color: var(--approval); }
section.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.grid2 > section.panel { margin-bottom: 0; }
.grid2 + * { margin-top: 16px; }
.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: var(--line); stroke-dasharray: 2 3; }
.chart .axis { stroke: var(--muted); }
.chart .tick { fill: var(--muted); font-size: 12px; }
.chart .tick.day { font-weight: 600; }
#timeline-chart .bar { fill: var(--deny); }
#timeline-chart .bar:hover { opacity: .75; }
.change .label { fill: var(--fg); font-size: 12px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.change .count { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.change.new-block .bar { fill: var(--deny); }
.change.unblock .bar { fill: var(--allow); }
.change.tighter .bar { fill: var(--approval); }
.change.looser .bar { fill: var(--sanitize); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; color: var(--muted); font-size: 12px; margin-top: 8px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.swatch.allow, .outcome.allow .swatch, .stack .allow { background: var(--allow); }
.swatch.sanitize, .outcome.sanitize .swatch, .stack .sanitize { background: var(--sanitize); }
.swatch.approval_needed, .outcome.approval_needed .swatch, .stack .approval_needed { background: var(--approval); }
.swatch.deny, .outcome.deny .swatch, .stack .deny { background: var(--deny); }
.swatch.new-block { background: var(--deny); } .swatch.unblock { background: var(--allow); }
.swatch.tighter { background: var(--approval); } .swatch.looser { background: var(--sanitize); }
.stack { display: flex; height: 12px; border-radius: 6px; overflow: hidden; background: var(--line); margin: 4px 0 12px; }
.stack span { display: block; height: 100%; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: baseline; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
table.examples { table-layout: fixed; }
col.c-time { width: 18%; } col.c-call { width: 22%; } col.c-outcome { width: 12%; }
col.c-reasons { width: 28%; } col.c-source { width: 20%; }
.dim { color: var(--muted); }
.agent { font-weight: 600; }
td.hot { color: var(--deny); font-weight: 600; }
tr:last-child td { border-bottom: none; }
.more { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.empty { color: var(--muted); margin: 0; }
details { border-top: 1px solid var(--line); padding: 8px 0; }
details:first-of-type { border-top: none; }
summary { cursor: pointer; font-weight: 600; }
summary .count { color: var(--muted); font-weight: 400; }
.reason { display: block; }
.reason .code { font-weight: 600; }
.reason .rule { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
`;
