// The layout rules a reader relies on (docs/ARCHITECTURE.md): no module of src/ or jobs/ imports
// one that imports it back, however far round (list-plan.ts and task-store.ts used to), and
// the register row reader is a short list of named steps, not one long function.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports (type-only ones too) of each file, as files. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const deps = [...text.matchAll(/^(?:import|export)\b[^'"]*?from '(\.[^']+)'/gm)].map((m) => path.join(path.dirname(f), m[1]!.replace(/\.js$/, '.ts')));
    graph.set(f, deps.filter((d) => files.includes(d)));
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d].map((p) => path.relative(ROOT, p)).join(' → '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe('module structure', () => {
  it('has no import cycles in src/ and jobs/', () => {
    const files = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'jobs'))];
    expect(files.length).toBeGreaterThan(100);
    expect(cycles(importGraph(files))).toEqual([]);
  });

  it('reads a register row in named steps: readRecord stays short', () => {
    const text = fs.readFileSync(path.join(ROOT, 'src/import/rows.ts'), 'utf8');
    const start = text.indexOf('export function readRecord(');
    expect(start).toBeGreaterThan(0);
    const end = text.indexOf('\n}\n', start);
    const lines = text.slice(start, end).split('\n').length;
    expect(lines).toBeLessThanOrEqual(40);
    for (const step of ['readLetter', 'readWhat', 'readBodies', 'readLeader', 'readDates', 'readDeadline', 'readStatusEvents', 'taskJson']) expect(text.slice(start, end)).toContain(`${step}(`);
  });
});
