export { formatMs } from '../shared/format.js';

export function formatPercent(share: number, digits = 2): string {
  return `${(share * 100).toFixed(digits)}%`;
}

export function formatRate(perSec: number): string {
  return perSec >= 100 ? perSec.toFixed(0) : perSec.toFixed(1);
}

/** Rounds chart data so the page carries readings, not 17-digit floats (three decimals of a ms is a µs). */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * A URL as a report shows it: user:password@ is dropped, so credentials in a target URL never reach a report
 * (results already store it so; this also covers results written by hand or by older versions).
 */
export { redactUrl as displayUrl } from '../scenario/redact.js';
