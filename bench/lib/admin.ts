import type { LatencySummary, MockStats } from '../../mock-server/index.js';

/** The mock's own account of what it injected: the ground truth the accuracy benchmarks compare against. */
export type InjectedSummary = LatencySummary;
export type TruthStats = Pick<MockStats, 'requests' | 'service' | 'queue'>;

export async function resetStats(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/__admin/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`POST /__admin/reset answered ${response.status}`);
  await response.arrayBuffer();
}

export async function readStats(baseUrl: string): Promise<TruthStats> {
  const response = await fetch(`${baseUrl}/__admin/stats`);
  if (!response.ok) throw new Error(`GET /__admin/stats answered ${response.status}`);
  return (await response.json()) as TruthStats;
}
