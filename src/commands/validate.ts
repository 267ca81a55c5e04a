import type { CommandIO } from '../io.js';

export async function run(_options: unknown, io: CommandIO): Promise<number> {
  io.stderr('aegis validate: not implemented yet\n');
  return 3;
}
