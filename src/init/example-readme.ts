/** `README.md` as `aegis init` writes it: what the files are and what to run next. */
export function exampleReadme(schema: string, packageName: string): string {
  return `# Agent policies

Written by \`aegis init\`. Edit \`policies/agents.yaml\`, then:

\`\`\`sh
aegis validate policies                                  # schema and semantic checks
aegis test policies                                      # the cases in agents.test.yaml
aegis compile policies -o bundle.tar.gz                  # an OPA bundle of Rego v1
aegis simulate traces/example.jsonl --policy policies    # what would these policies block?
\`\`\`

- \`policies/\`: one YAML document per agent (\`aegis schema policy\` prints every key),
  and \`agents.test.yaml\`: inputs and the decision expected for each (\`aegis test\`).
- \`traces/example.jsonl\`: recorded tool calls, one decision input per line with its
  \`context.time\`; replace it with your own gateway's traces or OpenTelemetry spans.

In CI, \`aegis validate policies --format github\` annotates pull requests and
\`--format sarif\` feeds code scanning; \`aegis test policies --format github\` marks a failing
case on its line, and \`--format junit\` feeds test reports.

The first line of \`policies/agents.yaml\` gives editors with YAML language support
(yaml-language-server, e.g. the VS Code YAML extension) the policy schema:
\`${schema}\`.
To work offline, point it at the copy installed with aegis instead:
\`# yaml-language-server: $schema=../node_modules/${packageName}/schemas/aegis-policy.v1.schema.json\`.
`;
}
