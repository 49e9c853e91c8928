// The benchmarks' SMTP server, run as a child process: accepts everything, parses and keeps
// nothing, prints its port on the first line, exits when its parent goes away.
import { startSmtp } from '../../tests/support/smtp-server.js';

const smtp = await startSmtp({ parse: false, keep: false });
console.log(smtp.port);
const stop = (): void => void smtp.stop().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
