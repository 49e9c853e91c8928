// CSV as Excel writes it: UTF-8 with or without BOM ("CSV UTF-8"), separated by "," or, in
// a Vietnamese-locale Excel (decimal comma), by ";". We sniff the separator on the first lines.
import { parse } from 'csv-parse/sync';
import { DondocError } from '../errors.js';
import { decodeText } from './encoding.js';
import type { Grid } from './grid.js';

/** Counts separators outside quotes on the first lines; the most frequent wins, "," on a tie. */
export function sniffDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  let lines = 0;
  for (let i = 0; i < text.length && lines < 30; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
    else if (!inQuotes && ch === '\n') lines++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

export function readCsvGrid(buf: Uint8Array, file: string): Grid {
  const text = decodeText(buf, file);
  const delimiter = sniffDelimiter(text);
  try {
    const rows = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, bom: true }) as string[][];
    return { rows, date1904: false };
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new DondocError('IMPORT_REJECTED', `${file}: không đọc được tệp CSV${err.lines ? ` (dòng ${err.lines})` : ''}: ${err.message}`, [{ path: file, message: err.message }], { cause: e });
  }
}
