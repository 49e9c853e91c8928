// The repeat-lateness notices of letter 7176 §5 over virtual time, for `dondoc simulate`: the
// service sends them from its accountability pass (jobs/accountability.ts), the first one
// inside office hours each working day; the simulation looks at the tasks as they stood at the
// opening of each working day in the range and "sends" each crossing once, as the pass would.
import fs from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { type Day } from '../core/day.js';
import { latenessCrossings } from '../core/lateness.js';
import type { Replay } from '../core/replay.js';
import { buildEml } from '../mail/eml.js';
import { messageIdFor } from '../mail/message.js';
import { latenessNotice } from '../report/lateness-notice.js';

export interface SimulatedNotice {
  id: string;
  at: number;
  /** The body that was late many times. */
  body: string;
  count: number;
  step: number;
  subject: string;
  to: string[];
  cc: string[];
  warnings: string[];
  /** The .eml file written (with --out). */
  file?: string;
}

export async function simulateLatenessNotices(replays: readonly Replay[], loaded: LoadedConfig, opts: { from: Day; to: Day; out?: string }): Promise<SimulatedNotice[]> {
  const { calendar, org, config } = loaded;
  const rule = config.accountability.lateness;
  const sent = new Set<string>();
  const out: SimulatedNotice[] = [];
  for (let day = opts.from; day <= opts.to; day++) {
    if (!calendar.isWorkingDay(day)) continue;
    const at = calendar.openingOf(day);
    const inputs = replays.map((r) => ({ task: r.at(at) }));
    for (const c of latenessCrossings(inputs, calendar, org, rule, at, sent)) {
      sent.add(c.id);
      const letter = latenessNotice(c, rule, org, calendar, { now: at, senderName: config.mail.from.name });
      const notice: SimulatedNotice = {
        id: c.id,
        at,
        body: c.body,
        count: c.count,
        step: c.step,
        subject: letter.subject,
        to: letter.to.map((r) => r.email),
        cc: letter.cc.map((r) => r.email),
        warnings: letter.warnings,
      };
      if (opts.out && letter.to.length) {
        const eml = await buildEml(
          {
            messageId: messageIdFor(letter.id, config.mail.messageIdDomain),
            from: config.mail.from,
            to: letter.to.map((r) => ({ name: r.title, address: r.email })),
            cc: letter.cc.map((r) => ({ name: r.title, address: r.email })),
            subject: letter.subject,
            text: letter.text,
            html: letter.html,
            headers: { 'X-Dondoc-Notification': letter.id, 'X-Dondoc-Kind': 'lateness_notice' },
          },
          new Date(at),
        );
        const stamp = calendar.zone.formatInstant(at).slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
        notice.file = path.join(opts.out, `${stamp}_${letter.id}.eml`);
        fs.mkdirSync(opts.out, { recursive: true });
        fs.writeFileSync(notice.file, eml);
      }
      out.push(notice);
    }
  }
  return out;
}
