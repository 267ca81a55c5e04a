/** Turns a `--registry` value into a Registry: a directory, `file:DIR`; OCI comes later. */
import { resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { FileRegistry } from './file-registry.js';

export function openRegistry(value: string | undefined, cwd: string): FileRegistry {
  if (value === undefined || value === '') throw new UsageError('--registry is required');
  if (/^oci:\/\//i.test(value)) {
    throw new InputError(
      `OCI registries (${value}) are not supported yet`,
      'use a directory or file:DIR registry for now',
    );
  }
  if (/^file:/i.test(value)) {
    // file:DIR and file:///abs/dir both name a directory.
    const rest = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '') throw new UsageError('--registry file: needs a directory, e.g. file:./registry');
    return new FileRegistry(resolve(cwd, rest));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw new InputError(`unsupported registry ${value}; use a directory or file:DIR`);
  return new FileRegistry(resolve(cwd, value));
}
