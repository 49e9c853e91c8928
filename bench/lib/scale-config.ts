// The config of the sustained-delivery benchmark (bench/scale-delivery.ts), built the same way in
// the parent and in each worker process: the 2022 Thái Nguyên test config (org directory,
// calendar, 07:30–17:00 office hours) with one reminder 2 hours before a timed deadline — so
// tasks whose deadlines fall a minute apart are reminded a minute apart, a steady stream rather
// than one 07:30 wave — the default escalations (days later: never due in the run), no digest,
// and the service's default delivery settings (lease, concurrency 20, lookahead 10 minutes).
import fs from 'node:fs';
import path from 'node:path';
import { type LoadedConfig, loadConfigText } from '../../src/config/load.js';
import { ROOT } from '../../tests/support/cli.js';

const FIXTURES = path.join(ROOT, 'tests/fixtures');
export const BENCH_DOMAIN = 'dondoc.thainguyen.example.gov.vn';

export function sustainedConfig(): LoadedConfig {
  const fixture = fs.readFileSync(path.join(FIXTURES, 'dondoc-2022.yaml'), 'utf8');
  const text = `${fixture}
policy:
  digest: { enabled: false }
  reminders: [{ before: 2 hours }]
  coordinators: []
mail:
  from: { name: Văn phòng UBND tỉnh Thái Nguyên, address: nhacviec@${BENCH_DOMAIN} }
delivery:
  admin_email: quantri@thainguyen.example.gov.vn
`;
  return loadConfigText(text, 'tests/fixtures/dondoc-2022.yaml (+bench policy)', FIXTURES);
}
