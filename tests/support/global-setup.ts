// Runs once before the suite. Integration tests start their own redis-server and SMTP
// server on free ports (tests/support/*), so all this checks is that the binaries exist,
// failing early with a useful message instead of a timeout per test.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is not installed: integration tests need it (apt-get install -y redis-server). .ci/run installs it.');
  }
}
