import { UsageError } from './exit-codes.js';

/** `--shard 2/4` → { index: 2, count: 4 }: 0-based, as Kubernetes' JOB_COMPLETION_INDEX counts. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--shard takes INDEX/COUNT with a 0-based index, like 0/4; got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count)
    throw new UsageError(`--shard ${text}: the index must be below the count (0 … ${Math.max(count - 1, 0)})`);
  return { index, count };
}

/** `--start-at` as an ISO date or epoch milliseconds: the moment every shard starts its curve. */
export function parseStartAt(text: string): number {
  const trimmed = text.trim();
  const epochMs = /^\d{12,}$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (Number.isNaN(epochMs)) throw new UsageError(`--start-at takes an ISO date or epoch milliseconds; got "${text}"`);
  return epochMs;
}
