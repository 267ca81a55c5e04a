/**
 * What commands need to know about the installed package (not a command itself). Read at
 * run time from the package's package.json.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-root.js';

export interface PackageInfo {
  name: string;
  version: string;
  /** The documentation home: package.json `homepage`, else the npm page (which shows the README). */
  homepage: string;
}

export function packageInfo(): PackageInfo {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
    name: string;
    version: string;
    homepage?: string;
  };
  return {
    name: pkg.name,
    version: pkg.version,
    homepage: pkg.homepage ?? `https://www.npmjs.com/package/${pkg.name}`,
  };
}
