// `dondoc config check [FILE]`: validates the config and everything it points to.
import type { Command } from 'commander';
import { isDondocError } from '../errors.js';
import type { CliContext } from './context.js';

export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('Check the configuration');
  config
    .command('check')
    .description('Validate a config file (default: $DONDOC_CONFIG or config/dondoc.yaml); prints "ok" or every problem')
    .argument('[file]', 'config file to check')
    .action((file: string | undefined) => {
      try {
        const loaded = ctx.config(file);
        for (const w of loaded.warnings) ctx.stderr.write(`warning: ${w}\n`);
        ctx.stdout.write('ok\n');
      } catch (e) {
        // The problems are the command's output here, so they go to stdout, one per line.
        if (isDondocError(e) && e.problems.length) {
          for (const p of e.problems) ctx.stdout.write(`${p.path}: ${p.message}\n`);
          throw Object.assign(e, { problems: [] });
        }
        throw e;
      }
    });
}
