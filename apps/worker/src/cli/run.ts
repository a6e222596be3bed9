// Dispatches `visage <group> <command> …` and maps failures to exit codes: 0 ok, 1 error (one line,
// no stack), 2 usage. Separate from main.ts so tests can run the CLI in-process.
import { type CliIo, oneLine, runModelsCommand, USAGE, UsageError } from './models-command.ts';

export type { CliIo } from './models-command.ts';

const HELP = new Set(['help', '--help', '-h']);

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [group, ...rest] = argv;
  try {
    if ((group && HELP.has(group)) || (group === 'models' && rest[0] && HELP.has(rest[0]))) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (group !== 'models') throw new UsageError(group ? `Unknown command "${group}"` : 'No command given');
    return await runModelsCommand(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`visage: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr.write(`visage: ${oneLine(error)}\n`);
    return 1;
  }
}
