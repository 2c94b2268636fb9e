export { formatMs } from '../../shared/format.js';

export function formatPercent(share: number | null | undefined, digits = 2): string {
  if (share === null || share === undefined) return 'n/a';
  return `${(share * 100).toFixed(digits)}%`;
}

/** A 0..1 share that may not have been measured (null: the platform gives no such clock). */
export function formatShare(share: number | null | undefined): string {
  return share === null || share === undefined ? 'n/a' : formatPercent(share, 0);
}

/** Process CPU as cores used of the cores available: "1.32 of 2 cores". */
export function formatCores(cores: number | undefined, availableCores: number | undefined): string {
  return cores === undefined || availableCores === undefined ? 'n/a' : `${cores.toFixed(2)} of ${availableCores} cores`;
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
export { redactUrl as displayUrl } from '../../scenario/redact.js';
