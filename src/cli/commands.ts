// The command groups of the dondoc CLI, and how each is loaded. A group's module (and what it
// imports: BullMQ, fastify, exceljs…) is imported only when that group runs, so
// `dondoc --help` or `dondoc calendar is-working` starts in a fraction of the time the whole
// program would take (docs/BENCHMARKS.md, "CLI start-up"). The descriptions are the ones the
// modules register (a unit test keeps them equal): the top-level help shows them without
// loading anything.
import type { Command } from 'commander';
import type { CliContext } from './context.js';

export type Register = (program: Command, ctx: CliContext) => void;

export interface CommandGroup {
  /** The top-level commands the module registers. */
  names: readonly string[];
  /** Each name's description, as the module gives it. */
  descriptions: Readonly<Record<string, string>>;
  load(): Promise<Register>;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    names: ['start'],
    descriptions: { start: 'Run dondoc: the scheduler, the workers that send mail, and the HTTP API (or one of them with --role)' },
    load: async () => (await import('./start.js')).registerStartCommand,
  },
  {
    names: ['config'],
    descriptions: { config: 'Check the configuration, or have running dondoc processes reload it' },
    load: async () => (await import('./config.js')).registerConfigCommands,
  },
  {
    names: ['calendar'],
    descriptions: { calendar: 'Working days, holidays and lunar dates (Vietnamese civil-servant calendar)' },
    load: async () => (await import('./calendar.js')).registerCalendarCommands,
  },
  {
    names: ['task'],
    descriptions: { task: 'Show, list and change tasks in the registry (Redis: REDIS_URL, DONDOC_KEY_PREFIX)' },
    load: async () => (await import('./task.js')).registerTaskCommands,
  },
  {
    names: ['import'],
    descriptions: { import: 'Import tasks from a register (.xlsx, .csv, .json, .yaml) or a letter (.docx, .pdf, .md, .txt) into the registry (idempotent by task id)' },
    load: async () => (await import('./import.js')).registerImportCommands,
  },
  {
    names: ['extract'],
    descriptions: { extract: 'Draft the register rows of an official letter (.docx, .pdf, .md, .txt) for review and import' },
    load: async () => (await import('./extract.js')).registerExtractCommand,
  },
  {
    names: ['preview'],
    descriptions: { preview: 'The planned reminders and escalations of a task (from the store) or of every task in a file' },
    load: async () => (await import('./preview.js')).registerPreviewCommand,
  },
  {
    names: ['simulate'],
    descriptions: { simulate: 'Run the policy over virtual time on a task file; write every mail as .eml and print totals per day, level, body and recipient' },
    load: async () => (await import('./simulate.js')).registerSimulateCommand,
  },
  {
    names: ['report'],
    descriptions: { report: 'Report on the tasks due in a period, per body, in the Government Office categories (7176 §4–§5)' },
    load: async () => (await import('./report.js')).registerReportCommand,
  },
  {
    names: ['delivery', 'mute', 'unmute'],
    descriptions: {
      delivery: 'The delivery log: what was sent, failed, skipped or muted; retry failures',
      mute: 'Hold back the notifications of a task or a body (recorded as muted, sent if unmuted in time)',
      unmute: 'Lift a mute: notifications held back go out if they are still due',
    },
    load: async () => (await import('./delivery.js')).registerDeliveryCommands,
  },
];

/** The group a command line runs: its first operand (`help X` asks for X's help). */
export function groupFor(argv: readonly string[]): CommandGroup | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name === undefined ? undefined : COMMAND_GROUPS.find((g) => g.names.includes(name));
}
