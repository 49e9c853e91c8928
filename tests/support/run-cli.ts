// Runs the dondoc CLI in-process with captured output and an injected clock/environment.
import { runCli } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], opts: { env?: Record<string, string | undefined>; now?: number } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: opts.env ?? {},
    now: () => opts.now ?? Date.parse('2026-11-23T09:00:00+07:00'),
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
  });
  return { code, stdout, stderr };
}
