// The command table (src/cli/commands.ts) and what each command line loads: the top-level help
// names every command without loading any, a group's module registers exactly the names and
// descriptions the table gives, and the quick commands never import the service's libraries.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS, groupFor } from '../../src/cli/commands.js';
import { type CliContext } from '../../src/cli/context.js';
import { ROOT } from '../support/cli.js';
import { cli } from '../support/run-cli.js';

const SERVICE_LIBRARIES = ['bullmq', 'ioredis', 'fastify', 'exceljs', 'nodemailer', 'pino', 'prom-client', 'handlebars', 'csv-parse', 'iconv-lite'];

async function importsOf(argv: string[]): Promise<string[]> {
  const r = await promisify(execFile)(process.execPath, ['--import', path.join(ROOT, 'tests/support/trace-imports.mjs'), path.join(ROOT, 'bin/dondoc.mjs'), ...argv], { cwd: ROOT });
  return [...r.stderr.matchAll(/^import: (.+)$/gm)].map((m) => m[1]!);
}

describe('the command table', () => {
  it('gives each group the names and descriptions its module registers', async () => {
    const ctx = {} as CliContext;
    for (const group of COMMAND_GROUPS) {
      const program = new Command('dondoc');
      (await group.load())(program, ctx);
      expect(program.commands.map((c) => c.name())).toEqual([...group.names]);
      for (const c of program.commands) expect(c.description()).toBe(group.descriptions[c.name()]);
    }
  });

  it('finds the group of a command line, and of `help X`', () => {
    expect(groupFor(['calendar', 'is-working', '2026-02-16'])?.names).toEqual(['calendar']);
    expect(groupFor(['mute', 'list'])?.names).toEqual(['delivery', 'mute', 'unmute']);
    expect(groupFor(['help', 'task'])?.names).toEqual(['task']);
    expect(groupFor(['--help'])).toBeUndefined();
    expect(groupFor(['nope'])).toBeUndefined();
  });

  it('lists every command in the top-level help, and helps with a typo', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const g of COMMAND_GROUPS) for (const n of g.names) expect(help.stdout).toContain(`  ${n}`);
    const typo = await cli(['calender', 'is-working', '2026-02-16']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'calender'[\s\S]*Did you mean calendar\?/);
  });
});

describe('what a command line loads (compiled bin, as a user runs it)', () => {
  it('--help and calendar is-working import none of the service libraries', async () => {
    for (const argv of [['--help'], ['calendar', 'is-working', '2026-02-16']]) {
      const loaded = await importsOf(argv);
      expect(loaded.filter((p) => SERVICE_LIBRARIES.includes(p)), argv.join(' ')).toEqual([]);
    }
    // The tracer sees imports: the calendar loads what it uses.
    expect(await importsOf(['calendar', 'is-working', '2026-02-16'])).toEqual(expect.arrayContaining(['commander', 'zod', 'yaml', 'luxon']));
  });
});
