// The CLI as it ran before the compiled build: the TypeScript sources through tsx, loaded at
// each start (the baseline of bench/cli-startup.ts).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
