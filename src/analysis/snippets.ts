/** The figures a snippet needs, already decided; snippets only render them. */
export interface SnippetValues {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
  idleMs?: number;
  maxRetries: number;
  baseMs: number;
  maxBackoffMs: number;
  budgetRatio: number;
  minRetryConcurrency: number;
  hedgeDelayMs: number;
  concurrencyLimit: number;
  maxPending: number;
  /** figures the run could not measure and that were filled with a stock default: each is marked in the snippet */
  defaults: readonly (keyof Omit<SnippetValues, 'defaults'>)[];
}

const DEFAULT_NOTE = 'default: this run did not measure it';
const jsMark = (v: SnippetValues, key: SnippetValues['defaults'][number]) => (v.defaults.includes(key) ? ` /* ${DEFAULT_NOTE} */` : '');
const yamlMark = (v: SnippetValues, key: SnippetValues['defaults'][number]) => (v.defaults.includes(key) ? `  # ${DEFAULT_NOTE}` : '');

const int = (ms: number) => Math.max(1, Math.ceil(ms));
/** Envoy reads durations as seconds with a fractional part ("0.25s"). */
const envoySeconds = (ms: number) => `${Number((Math.max(ms, 1) / 1000).toFixed(3))}s`;

/** undici + fetch with AbortSignal.timeout, full-jitter exponential backoff and a retry budget. */
export function fetchSnippet(v: SnippetValues): string {
  return `import { Agent, fetch } from 'undici';

// connect / first byte / idle body gap; undici checks header and body timeouts on a coarse (~0.5 s) timer.
const agent = new Agent({
  connect: { timeout: ${int(v.connectMs)}${jsMark(v, 'connectMs')} },
  headersTimeout: ${int(v.firstByteMs)},${jsMark(v, 'firstByteMs')}
  bodyTimeout: ${int(v.idleMs ?? v.totalMs)},${jsMark(v, v.idleMs === undefined ? 'totalMs' : 'idleMs')}
  connections: ${v.concurrencyLimit},${jsMark(v, 'concurrencyLimit')}
});

// Retry budget: retries may add at most ${(v.budgetRatio * 100).toFixed(0)}% of requests (plus a small floor).
let budgetTokens = 10;

export async function call(url, init = {}) {
  budgetTokens = Math.min(budgetTokens + ${v.budgetRatio}, 100);
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, { ...init, dispatcher: agent, signal: AbortSignal.timeout(${int(v.totalMs)}) });${jsMark(v, 'totalMs')}
      if (response.status < 500 || attempt >= ${v.maxRetries} || budgetTokens < 1) return response;
      await response.body?.cancel();
    } catch (error) {
      if (attempt >= ${v.maxRetries} || budgetTokens < 1) throw error;
    }
    budgetTokens -= 1;
    // Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)].
    const capMs = Math.min(${int(v.maxBackoffMs)}, ${int(v.baseMs)} * 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * capMs));
  }
}
`;
}

/** Envoy route and cluster configuration (YAML) with the same figures. */
export function envoySnippet(v: SnippetValues): string {
  return `# route (inside a virtual host)
- match: { prefix: "/" }
  route:
    cluster: api
    timeout: ${envoySeconds(v.totalMs)}${yamlMark(v, 'totalMs')}
    retry_policy:
      retry_on: "5xx,reset,connect-failure"
      num_retries: ${v.maxRetries}
      per_try_timeout: ${envoySeconds(v.firstByteMs)}${yamlMark(v, 'firstByteMs')}
      retry_back_off: { base_interval: ${envoySeconds(v.baseMs)}, max_interval: ${envoySeconds(v.maxBackoffMs)} }
    # Hedging instead: Envoy hedges on the per-try timeout, so set it to the hedge delay (p95) and
    # keep the first response: per_try_timeout: ${envoySeconds(v.hedgeDelayMs)} with
    # hedge_policy: { hedge_on_per_try_timeout: true }

# cluster
- name: api
  connect_timeout: ${envoySeconds(v.connectMs)}${yamlMark(v, 'connectMs')}
  circuit_breakers:
    thresholds:
      - priority: DEFAULT
        max_connections: ${v.concurrencyLimit}${yamlMark(v, 'concurrencyLimit')}
        max_requests: ${v.concurrencyLimit}
        max_pending_requests: ${v.maxPending}
        retry_budget:
          budget_percent: { value: ${(v.budgetRatio * 100).toFixed(1)} }
          min_retry_concurrency: ${v.minRetryConcurrency}
`;
}
