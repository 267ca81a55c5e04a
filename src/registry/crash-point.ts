/**
 * Fault injection for the crash tests: with AEGIS_REGISTRY_CRASH_AT=<step> the process dies
 * at that step (SIGKILL, like a power cut: no cleanup runs). Unset in normal use.
 */
export function crashPoint(step: string): void {
  if (process.env.AEGIS_REGISTRY_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}
