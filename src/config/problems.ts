// Turning YAML and zod failures into problems a person can act on: the file, the dotted
// path of the field, and what to write instead.
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Problem } from '../errors.js';

export function formatPath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(top level)';
}

export function zodProblems(file: string, error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): Problem[] {
  return error.issues.map((i) => {
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
    // A message quotes the value: a 10 MB one would bury the problem.
    if (message.length > 300) message = `${message.slice(0, 300)}…`;
    return { path: `${file}: ${formatPath([...prefix, ...i.path])}`, message };
  });
}

/** Parses YAML text to plain data, or the syntax problems with line and column. */
export function parseYaml(file: string, text: string): { data: unknown; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.normalize('NFC'), { prettyErrors: false, uniqueKeys: true, lineCounter });
  const problems = doc.errors.map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { path: `${file}:${line}:${col}`, message: e.message.split('\n')[0] ?? 'YAML syntax error' };
  });
  if (problems.length) return { data: undefined, problems };
  try {
    return { data: doc.toJS() ?? {}, problems };
  } catch (e) {
    // yaml refuses an alias "billion laughs" (maxAliasCount) here, after parsing.
    return { data: undefined, problems: [{ path: file, message: `cannot be read: ${(e as Error).message}` }] };
  }
}
