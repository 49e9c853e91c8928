// Shared fixtures for the planner, template and simulate tests: a small org directory of
// Thái Nguyên after the 2025 reorganisation, built directly (no files), and task builders.
import { loadConfig } from '../../src/config/load.js';
import { policySchema } from '../../src/config/sections/policy.js';
import type { Calendar } from '../../src/core/calendar.js';
import { parseIsoDay } from '../../src/core/day.js';
import type { Body, Leader, OrgDirectory } from '../../src/core/org.js';
import type { Policy } from '../../src/core/policy.js';
import type { Task } from '../../src/core/task.js';
import { type TaskInputJson, taskInputSchema } from '../../src/core/task-codec.js';
import { buildTask } from '../../src/core/task-ops.js';

export const day = (s: string): number => {
  const d = parseIsoDay(s);
  if (d === null) throw new Error(`bad day ${s}`);
  return d;
};

const body = (code: string, name: string, title: string, extra: Partial<Body> = {}): Body => ({
  code,
  name,
  kind: 'so',
  head: { title, email: `giamdoc.${code.toLowerCase()}@thainguyen.example.gov.vn` },
  acting: false,
  headTenures: [],
  aliases: [],
  ...extra,
});

const leader = (code: string, title: string): Leader => ({ code, title, email: `${code.toLowerCase()}.ubnd@thainguyen.example.gov.vn`, fields: [] });

export function makeOrg(): OrgDirectory {
  const bodies: Body[] = [
    body('VPUBND', 'Văn phòng UBND tỉnh', 'Chánh Văn phòng UBND tỉnh', {
      kind: 'van_phong',
      head: { title: 'Chánh Văn phòng UBND tỉnh', email: 'chanhvanphong.vpubnd@thainguyen.example.gov.vn' },
      leader: 'CT',
    }),
    body('SNV', 'Sở Nội vụ', 'Giám đốc Sở Nội vụ', { leader: 'CT' }),
    body('TTT', 'Thanh tra tỉnh', 'Chánh Thanh tra tỉnh', { kind: 'nganh', leader: 'CT' }),
    body('STC', 'Sở Tài chính', 'Giám đốc Sở Tài chính', {
      leader: 'PCT1',
      clerical: { title: 'Văn thư Sở Tài chính', email: 'vanthu.stc@thainguyen.example.gov.vn' },
    }),
    body('SYT', 'Sở Y tế', 'Giám đốc Sở Y tế', {
      leader: 'PCT4',
      clerical: { title: 'Văn thư Sở Y tế', email: 'vanthu.syt@thainguyen.example.gov.vn' },
    }),
    body('SGDDT', 'Sở Giáo dục và Đào tạo', 'Phó Giám đốc phụ trách Sở Giáo dục và Đào tạo', { leader: 'PCT4', acting: true }),
    // Merged into Sở Tài chính from 01/03/2025 (Nghị định 45/2025/NĐ-CP).
    body('SKHDT', 'Sở Kế hoạch và Đầu tư', 'Giám đốc Sở Kế hoạch và Đầu tư', { leader: 'PCT1', validTo: day('2025-02-28'), successor: 'STC' }),
  ];
  const leaders = [leader('CT', 'Chủ tịch UBND tỉnh'), leader('PCT1', 'Phó Chủ tịch Thường trực UBND tỉnh'), leader('PCT4', 'Phó Chủ tịch UBND tỉnh')];
  return {
    bodies: new Map(bodies.map((b) => [b.code, b])),
    leaders: new Map(leaders.map((l) => [l.code, l])),
    roles: { provincialOffice: 'VPUBND', homeAffairs: 'SNV', chairman: 'CT', inspectorate: 'TTT' },
  };
}

let cached: Calendar | undefined;
/** The shipped calendar (official 2025/2026 schedules). */
export function shippedCalendar(): Calendar {
  cached ??= loadConfig({ file: 'config/dondoc.yaml', env: {} }).calendar;
  return cached;
}

export const makePolicy = (section: unknown = {}): Policy => policySchema.parse(section);

/** The letters the shipped config/dondoc.yaml cites (7176/UBND-NC from 04/12/2024). */
export const shippedBasis = (): Policy['basis'] => loadConfig({ file: 'config/dondoc.yaml', env: {} }).config.policy.basis;

export const ISSUER = 'UBND tỉnh Thái Nguyên';

/** A task from JSON input, built as of `now` (events in the input are applied). */
export function makeTask(calendar: Calendar, org: OrgDirectory, input: TaskInputJson, now = Date.parse('2020-01-01T00:00:00+07:00')): Task {
  return buildTask(taskInputSchema.parse(input), calendar, org, { by: 'test', now }).task;
}
