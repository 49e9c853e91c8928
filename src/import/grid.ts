// A sheet as a grid of cells, whatever file it came from: the CSV and xlsx readers produce
// one, the sheet reader (sheet.ts) turns it into records.
import type { Cell } from './text.js';

export interface Grid {
  /** rows[i] is sheet row i+1 as the clerk sees it. */
  rows: Cell[][];
  /** The workbook counts dates from 1904 (old Mac Excel): serial numbers shift. */
  date1904: boolean;
}
