// `dondoc config check [FILE]`: validates the config and everything it points to.
// `dondoc config reload`: validates it, then tells every running dondoc to reload (the same as
// SIGHUP to one of them); a bad file is refused and the running config stays.
import type { Command } from 'commander';
import { parseEnv } from '../config/env.js';
import { isDondocError, problemLine } from '../errors.js';
import { commandRedisUrl } from '../redis/private-server.js';
import { originOf, publishConfig } from '../store/config-channel.js';
import { connectRedis, guard } from '../store/redis.js';
import type { CliContext } from './context.js';

/** Problems are the command's output: stdout, one per line; then exit 1 with the summary. */
function printProblems(ctx: CliContext, e: unknown): never {
  if (isDondocError(e) && e.problems.length) {
    for (const p of e.problems) ctx.stdout.write(`${problemLine(p)}\n`);
    throw Object.assign(e, { problems: [] });
  }
  throw e;
}

export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('Check the configuration, or have running dondoc processes reload it');
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
        printProblems(ctx, e);
      }
    });

  config
    .command('reload')
    .description('Validate the config, then have every running dondoc reload it and re-plan open tasks (like SIGHUP); a bad file changes nothing')
    .option('--config <file>', 'config file (default: $DONDOC_CONFIG or config/dondoc.yaml)')
    .action(async (opts: { config?: string }) => {
      let loaded;
      try {
        loaded = ctx.config(opts.config);
      } catch (e) {
        printProblems(ctx, e);
      }
      for (const w of loaded.warnings) ctx.stderr.write(`warning: ${w}\n`);
      const env = parseEnv(ctx.env);
      const url = await commandRedisUrl(env);
      const redis = await connectRedis(url, { role: 'cli', timeoutMs: env.redisTimeoutMs });
      try {
        const receivers = await guard(url, () => publishConfig(redis, env.keyPrefix, { hash: loaded.hash, by: originOf('cli'), at: ctx.now() }));
        ctx.stdout.write(
          receivers > 0
            ? `ok: config ${loaded.hash} published to ${receivers} running process${receivers === 1 ? '' : 'es'}\n`
            : `ok: config ${loaded.hash} stored; no dondoc is running (it is used at the next start)\n`,
        );
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    });
}
