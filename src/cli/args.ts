// Strict parsing of command-line operands: anything malformed is a usage error (exit 2).
import { type Day, MAX_YEAR, MIN_YEAR, parseIsoDay } from '../core/day.js';
import { usageError } from '../errors.js';

export function dayArg(name: string, value: string): Day {
  const d = parseIsoDay(value);
  if (d === null) throw usageError(`${name}: expected a date YYYY-MM-DD, got "${value}"`);
  const y = Number(value.slice(0, 4));
  if (y < MIN_YEAR || y > MAX_YEAR) throw usageError(`${name}: year ${y} is outside ${MIN_YEAR}–${MAX_YEAR}`);
  return d;
}

export function intArg(name: string, value: string): number {
  if (!/^[-+]?\d{1,6}$/.test(value.trim())) throw usageError(`${name}: expected a whole number, got "${value}"`);
  return Number(value);
}

export function yearArg(name: string, value: string): number {
  if (!/^\d{4}$/.test(value.trim())) throw usageError(`${name}: expected a year YYYY, got "${value}"`);
  const y = Number(value);
  if (y < MIN_YEAR || y > MAX_YEAR) throw usageError(`${name}: year ${y} is outside ${MIN_YEAR}–${MAX_YEAR}`);
  return y;
}
