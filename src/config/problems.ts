// Turning YAML and zod failures into problems a person can act on: the file, the dotted
// path of the field, and what to write instead.
import { type Document, LineCounter, isMap, isNode, isPair, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Problem } from '../errors.js';

export function formatPath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(top level)';
}

/** The line of the YAML node at a path (the nearest existing parent when it is missing). */
export type Locate = (path: ReadonlyArray<PropertyKey>) => number | undefined;

export function zodProblems(file: string, error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = [], locate?: Locate): Problem[] {
  return error.issues.map((i) => {
    let message = i.message;
    const at = [...prefix, ...i.path];
    if (i.code === 'unrecognized_keys') message = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
    // A message quotes the value: a 10 MB one would bury the problem.
    if (message.length > 300) message = `${message.slice(0, 300)}…`;
    // An unknown key is shown where it is written, not where its parent starts.
    const line = locate?.(i.code === 'unrecognized_keys' && i.keys.length ? [...at, i.keys[0]!] : at);
    return { path: `${file}: ${formatPath(at)}`, message, ...(line !== undefined ? { line } : {}) };
  });
}

function locator(doc: Document, lines: LineCounter): Locate {
  return (path) => {
    // getIn wants keys as the document holds them; YAML map keys are scalars.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (n > 0 && typeof path[n - 1] === 'string') {
        // Prefer the key's own line (`open: 7h30` is on the key's line anyway; a block value starts below it).
        const parent = n > 1 ? doc.getIn(path.slice(0, n - 1) as unknown[], true) : doc.contents;
        if (isMap(parent)) {
          const pair = parent.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === path[n - 1]);
          if (pair && isNode(pair.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
        }
      }
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** Parses YAML text to plain data, or the syntax problems with line and column; `locate` finds a path's line. */
export function parseYaml(file: string, text: string): { data: unknown; problems: Problem[]; locate: Locate } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.normalize('NFC'), { prettyErrors: false, uniqueKeys: true, lineCounter });
  const problems = doc.errors.map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { path: `${file}:${line}:${col}`, message: e.message.split('\n')[0] ?? 'YAML syntax error' };
  });
  const locate = locator(doc, lineCounter);
  if (problems.length) return { data: undefined, problems, locate };
  try {
    return { data: doc.toJS() ?? {}, problems, locate };
  } catch (e) {
    // yaml refuses an alias "billion laughs" (maxAliasCount) here, after parsing.
    return { data: undefined, problems: [{ path: file, message: `cannot be read: ${(e as Error).message}` }], locate };
  }
}
