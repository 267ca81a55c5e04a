/** The files `aegis init` writes, as plain data: paths relative to the target directory. */
import { examplePolicies, schemaUrl, testSchemaUrl } from './example-policies.js';
import { exampleReadme } from './example-readme.js';
import { exampleTests } from './example-tests.js';
import { exampleTrace } from './example-trace.js';

export interface ProjectFile {
  /** Forward slashes, relative to the directory being initialised. */
  path: string;
  content: string;
}

export function exampleProject(packageName: string, version: string): ProjectFile[] {
  const schema = schemaUrl(packageName, version);
  return [
    { path: 'policies/agents.yaml', content: examplePolicies(schema) },
    {
      path: 'policies/agents.test.yaml',
      content: exampleTests(testSchemaUrl(packageName, version)),
    },
    { path: 'traces/example.jsonl', content: exampleTrace() },
    { path: 'README.md', content: exampleReadme(schema, packageName) },
  ];
}
