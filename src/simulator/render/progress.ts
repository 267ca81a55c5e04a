/**
 * The spinner of a long simulation: events read and events per second, on stderr, and only
 * when the caller says stderr is an interactive terminal (never in CI, never into a report on
 * stdout). ora is imported only then, so that scripted runs do not load it.
 */
import type { CommandIO } from '../../io.js';
import { formatCount } from './report-facts.js';

export interface Progress {
  update: (eventsSoFar: number) => void;
  stop: () => void;
}

const REDRAW_MS = 100;

export async function startProgress(
  io: Pick<CommandIO, 'interactive'>,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<Progress | undefined> {
  // A terminal that reports no width (a pty nobody sized) makes ora clear endless lines.
  if (!io.interactive || !((stream.columns ?? 0) >= 20)) return undefined;
  const { default: ora } = await import('ora');
  // discardStdin would swallow a trace piped in as `-`.
  const spinner = ora({ text: 'reading traces', stream, discardStdin: false }).start();
  const started = performance.now();
  let drawn = 0;
  return {
    update: (events) => {
      const now = performance.now();
      if (now - drawn < REDRAW_MS) return;
      drawn = now;
      const rate = events / Math.max((now - started) / 1000, 0.001);
      spinner.text = `replayed ${formatCount(events)} events (${formatCount(Math.round(rate))}/s)`;
    },
    stop: () => {
      spinner.stop();
    },
  };
}
