// `dondoc calendar …`: the working-day calendar for scripts and admins. Output formats are a
// contract (scripts parse them): keep them exactly so.
import type { Command } from 'commander';
import { formatIsoDay } from '../core/day.js';
import { solarToLunar } from '../core/lunar.js';
import { ymdFromDay } from '../core/day.js';
import { dayArg, intArg, yearArg } from './args.js';
import type { CliContext } from './context.js';

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function registerCalendarCommands(program: Command, ctx: CliContext): void {
  const cal = program
    .command('calendar')
    .description('Working days, holidays and lunar dates (Vietnamese civil-servant calendar)')
    .option('--config <file>', 'config file');
  // The calendar part of the config only: these commands never need the org directory.
  const configOf = (cmd: Command) => ctx.calendarConfig(cmd.optsWithGlobals().config as string | undefined);

  cal
    .command('is-working')
    .description('Print "working" or "off", then the reason')
    .argument('<date>', 'YYYY-MM-DD')
    .option('--config <file>', 'config file')
    .action((date: string, _o, cmd: Command) => {
      const day = dayArg('date', date);
      const s = configOf(cmd).calendar.status(day);
      ctx.stdout.write(`${s.working ? 'working' : 'off'} ${s.reason}${s.approximate ? ' (dự kiến theo quy tắc)' : ''}\n`);
    });

  cal
    .command('add')
    .description('The date N working days after DATE (N < 0: before)')
    .argument('<date>', 'YYYY-MM-DD')
    .argument('<n>', 'number of working days, may be negative')
    .option('--config <file>', 'config file')
    .allowUnknownOption(true)
    .action((date: string, n: string, _o, cmd: Command) => {
      const r = configOf(cmd).calendar.add(dayArg('date', date), intArg('N', n));
      ctx.stdout.write(`${formatIsoDay(r)}\n`);
    });

  cal
    .command('count')
    .description('The number of working days after FROM up to and including TO')
    .argument('<from>', 'YYYY-MM-DD')
    .argument('<to>', 'YYYY-MM-DD')
    .option('--config <file>', 'config file')
    .action((from: string, to: string, _o, cmd: Command) => {
      ctx.stdout.write(`${configOf(cmd).calendar.count(dayArg('from', from), dayArg('to', to))}\n`);
    });

  cal
    .command('days-off')
    .description('Every non-working weekday and every working Saturday/Sunday of YEAR, with its reason')
    .argument('<year>', 'YYYY')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action((yearText: string, opts: { json?: boolean }, cmd: Command) => {
      const year = yearArg('year', yearText);
      const loaded = configOf(cmd);
      const rows = loaded.calendar.exceptions(year);
      const note = loaded.calendar.yearNote(year);
      if (note.fromRule.length) ctx.stderr.write(`warning: ${year}: some holidays placed by rule, not by an official schedule (${note.fromRule.join(', ')})\n`);
      if (opts.json) {
        const out = rows.map((r) => ({
          date: formatIsoDay(r.day),
          working: r.working,
          reason: r.reason,
          ...(r.source ? { source: r.source } : {}),
          ...(r.approximate ? { approximate: true } : {}),
        }));
        ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      for (const r of rows) ctx.stdout.write(`${formatIsoDay(r.day)} ${r.working ? 'working' : 'off'} ${r.reason}${r.approximate ? ' (dự kiến)' : ''}\n`);
    });

  cal
    .command('to-lunar')
    .description('The Vietnamese lunar date as dd/mm/yyyy (yyyy the lunar year), then " nhuận" in a leap month')
    .argument('<date>', 'YYYY-MM-DD')
    .option('--config <file>', 'config file (accepted for symmetry; the lunar calendar is fixed at UTC+7)')
    .action((date: string) => {
      const { year, month, day } = ymdFromDay(dayArg('date', date));
      const l = solarToLunar({ year, month, day });
      ctx.stdout.write(`${pad2(l.day)}/${pad2(l.month)}/${l.year}${l.leap ? ' nhuận' : ''}\n`);
    });
}
