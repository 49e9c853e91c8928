// What a drafted field carries besides its value: where in the letter it came from and how
// sure the reader is. "low" and anything missing that a task needs is a flag: the row is not
// written by `import` until a person has looked (review columns say why).
import type { Span } from './letter-text.js';

export type Confidence = 'high' | 'medium' | 'low';

export interface Drafted<T> {
  value: T;
  confidence: Confidence;
  from?: Span;
  /** Why it is not "high", or how it was read (in Vietnamese, for the clerk). */
  note?: string;
}

export interface Flag {
  /** The field concerned: number, date, issuer, lead, coordinators, deadline, recurrence, item, … */
  field: string;
  message: string;
}

export const drafted = <T>(value: T, confidence: Confidence, from?: Span, note?: string): Drafted<T> => ({
  value,
  confidence,
  ...(from ? { from } : {}),
  ...(note ? { note } : {}),
});
