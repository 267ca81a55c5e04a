/** Turns a `--registry` value into a Registry: a directory, `file:DIR`, or `oci://host[:port]/repo`. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { errnoCode } from '../errno.js';
import { InputError, UsageError } from '../errors.js';
import { FileRegistry } from './file-registry.js';
import { OciRegistry, parseOciUrl } from './oci-registry.js';
import type { Registry } from './registry.js';
import { REGISTRY_INDEX_FILE } from './registry-index.js';

export function openRegistry(value: string | undefined, cwd: string): Registry {
  if (value !== undefined && /^oci:\/\//i.test(value)) return new OciRegistry(parseOciUrl(value));
  return openFileRegistry(value, cwd);
}

/** For `serve`, which serves a directory: an OCI registry already serves OPA itself. */
export function openFileRegistry(value: string | undefined, cwd: string): FileRegistry {
  if (value === undefined || value === '') throw new UsageError('--registry is required');
  if (/^oci:\/\//i.test(value)) {
    throw new InputError(
      `serve takes a directory registry, not ${value}`,
      'OPA pulls from an OCI registry directly (a service with `type: oci`)',
    );
  }
  if (/^file:/i.test(value)) {
    // file:DIR and file:///abs/dir both name a directory.
    const rest = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '')
      throw new UsageError('--registry file: needs a directory, e.g. file:./registry');
    return new FileRegistry(resolve(cwd, rest));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw new InputError(`unsupported registry ${value}; use a directory or file:DIR`);
  return new FileRegistry(resolve(cwd, value));
}

/**
 * The registry, for the commands that read one or change what is in it (history, rollback,
 * serve): a directory that does not exist, or one without the registry's index (a mistyped
 * path that happens to be some other directory), is not an empty registry. Only publish
 * creates one.
 */
export function existingRegistry<R extends Registry>(registry: R, value: string | undefined): R {
  if (!(registry instanceof FileRegistry)) return registry;
  let directory = false;
  try {
    directory = statSync(registry.dir).isDirectory();
  } catch {
    // Missing or unreadable: no registry to read.
  }
  if (!directory) {
    throw new InputError(
      `--registry ${value}: no registry directory at ${registry.dir}`,
      'aegis publish creates a registry with its first version',
    );
  }
  try {
    statSync(registry.indexPath);
  } catch (error) {
    // Anything else (permission denied, say) is for readIndex to report in its own words.
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new InputError(
        `--registry ${value}: ${registry.dir} is not a registry (it has no ${REGISTRY_INDEX_FILE})`,
        'check the path; aegis publish creates a registry with its first version',
      );
    }
  }
  return registry;
}
