// `dondoc start [--role all|scheduler|worker|api]`: the main job. Runs until SIGTERM/SIGINT;
// SIGHUP reloads the config. What runs, and where everything is, is printed in one line when
// ready; the log (pino) goes to stderr. All the wiring is in src/main.ts.
import { type Command, Option } from 'commander';
import { parseEnv } from '../config/env.js';
import { loadConfig } from '../config/load.js';
import { makeZone } from '../core/zone.js';
import { DondocError } from '../errors.js';
import { type LogLevel, makeLogger } from '../log.js';
import type { Role } from '../main.js';
import type { CliContext } from './context.js';

const ROLES: readonly Role[] = ['all', 'scheduler', 'worker', 'api'];

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('Run dondoc: the scheduler, the workers that send mail, and the HTTP API (or one of them with --role)')
    .addOption(new Option('--role <role>', 'what this process runs').choices(ROLES).default('all'))
    .option('--config <file>', 'config file (default: $DONDOC_CONFIG, else config/dondoc.yaml, else the shipped example)')
    .action(async (opts: { role: Role; config?: string }) => {
      const env = parseEnv(ctx.env);
      // Loaded here, not at the top: the other commands need neither BullMQ nor fastify.
      const { runService } = await import('../main.js');
      const logger = makeLogger({
        ...(env.logLevel ? { level: env.logLevel as LogLevel } : {}),
        ...(env.logFormat ? { format: env.logFormat } : {}),
        base: { role: opts.role },
      });
      const file = opts.config;
      // Read again on every reload: the same file, validated as `config check` does.
      const load = () => loadConfig({ ...(file ? { file } : {}), env: ctx.env, today: makeZone('Asia/Ho_Chi_Minh').dayOf(ctx.now()) });
      const code = await runService({ role: opts.role, env: ctx.env, loadConfig: load, logger, stdout: ctx.stdout });
      if (code !== 0) throw new DondocError('INTERNAL', 'dondoc stopped after an unexpected error (see the log above)');
    });
}
