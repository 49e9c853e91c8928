// `node --import ./tests/support/trace-imports.mjs …`: prints "import: <package>" on stderr for
// every npm package the program imports (ESM resolution), so a test can see what a command loads.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url);
