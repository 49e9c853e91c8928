// The dondoc command line. Each command group lives in its own module, loaded only when it
// runs (commands.ts). Exit codes are the same everywhere: 0 ok, 1 input rejected, 2 usage error,
// 3 environment (Redis or SMTP unreachable) — always with a message, never a stack trace.
import { Command, CommanderError } from 'commander';
import { EXIT, isDondocError, problemLine } from '../errors.js';
import { COMMAND_GROUPS, groupFor } from './commands.js';
import { type CliContext, loadConfigModule, makeCliContext } from './context.js';

/**
 * The program for one command line: the group it runs is loaded and registered in full; the
 * others appear by name and description only (for the help and "did you mean"), unloaded.
 */
export async function buildProgram(ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('dondoc')
    .description('Reminders and escalations for provincial task deadlines, on the accountability rules of the installation')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  const wanted = groupFor(argv);
  // Every command may read the config; the top-level help does not.
  if (wanted) await loadConfigModule();
  for (const group of COMMAND_GROUPS) {
    if (group === wanted) (await group.load())(program, ctx);
    else for (const name of group.names) program.command(name).description(group.descriptions[name]!);
  }
  // Every subcommand inherits the exit and output behaviour.
  const apply = (cmd: Command): void => {
    for (const c of cmd.commands) {
      c.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
      c.showHelpAfterError();
      apply(c);
    }
  };
  apply(program);
  return program;
}

export async function runCli(argv: string[], partial?: Parameters<typeof makeCliContext>[0]): Promise<number> {
  const ctx = makeCliContext(partial);
  try {
    const program = await buildProgram(ctx, argv);
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    return reportError(e, ctx);
  }
}

export function reportError(e: unknown, ctx: CliContext): number {
  if (e instanceof CommanderError) {
    // Help and version "errors" are successes; everything else commander rejects is usage.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    if (e.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (isDondocError(e)) {
    ctx.stderr.write(`${e.message}\n`);
    for (const p of e.problems) ctx.stderr.write(`${problemLine(p)}\n`);
    return e.exitCode;
  }
  if (e instanceof RangeError) {
    ctx.stderr.write(`${e.message}\n`);
    return EXIT.usage;
  }
  // A library's own advice ("Please report this.") is not for the person at the terminal.
  const text = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/\.?\s*Please report this[^.]*\./gi, '.');
  ctx.stderr.write(`unexpected error: ${text}\n`);
  return EXIT.environment;
}
