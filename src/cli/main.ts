// The dondoc command line. Each command group lives in its own module and registers itself
// here. Exit codes are the same everywhere: 0 ok, 1 input rejected, 2 usage error,
// 3 environment (Redis or SMTP unreachable) — always with a message, never a stack trace.
import { Command, CommanderError } from 'commander';
import { EXIT, isDondocError } from '../errors.js';
import { registerCalendarCommands } from './calendar.js';
import { registerConfigCommands } from './config.js';
import { type CliContext, makeCliContext } from './context.js';
import { registerDeliveryCommands } from './delivery.js';
import { registerExtractCommand } from './extract.js';
import { registerImportCommands } from './import.js';
import { registerPreviewCommand } from './preview.js';
import { registerReportCommand } from './report.js';
import { registerSimulateCommand } from './simulate.js';
import { registerStartCommand } from './start.js';
import { registerTaskCommands } from './task.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('dondoc')
    .description('Reminders and escalations for provincial task deadlines, on the accountability rules of the installation')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  registerStartCommand(program, ctx);
  registerConfigCommands(program, ctx);
  registerCalendarCommands(program, ctx);
  registerTaskCommands(program, ctx);
  registerImportCommands(program, ctx);
  registerExtractCommand(program, ctx);
  registerPreviewCommand(program, ctx);
  registerSimulateCommand(program, ctx);
  registerReportCommand(program, ctx);
  registerDeliveryCommands(program, ctx);
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
  const program = buildProgram(ctx);
  try {
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
    for (const p of e.problems) ctx.stderr.write(`${p.path}: ${p.message}\n`);
    return e.exitCode;
  }
  if (e instanceof RangeError) {
    ctx.stderr.write(`${e.message}\n`);
    return EXIT.usage;
  }
  ctx.stderr.write(`unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT.environment;
}
