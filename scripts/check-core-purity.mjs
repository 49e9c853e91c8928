// The core stays pure: no I/O libraries and no reading of the clock in src/core or templates.
// Run by `npm run lint` (and so by CI).
import fs from 'node:fs';
import path from 'node:path';

const FORBIDDEN = [
  [/from '(bullmq|ioredis|nodemailer|pino|node:fs|node:net|fs|net)'/, 'imports an I/O library'],
  [/Date\.now\(\)|new Date\(\)|DateTime\.now\(\)|DateTime\.local\(\)/, 'reads the clock (take `now` as an argument)'],
];
const bad = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(ts|mjs|js)$/.test(e.name)) {
      fs.readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
        for (const [re, why] of FORBIDDEN) if (re.test(line)) bad.push(`${p}:${i + 1}: ${why}: ${line.trim()}`);
      });
    }
  }
};
walk('src/core');
walk('templates');
if (bad.length) {
  console.error(bad.join('\n'));
  process.exit(1);
}
console.log('core purity: ok');
