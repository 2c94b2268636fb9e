/**
 * Reading each peer's own report: pure functions of its output text, so a format change shows up as a
 * clear error rather than a wrong number. Latencies come back in milliseconds; rates in requests/s.
 */

export interface Measured {
  /** completed requests per second over the tool's own measured duration */
  rps: number;
  requests: number;
  /** responses outside 2xx plus socket errors and timeouts */
  errors: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
  /** tailscope and the socket floor: requests answered in the warm-up, outside the figures above */
  warmupRequests?: number;
}

export class ParseError extends Error {
  readonly code = 'BENCH_PARSE';
  constructor(tool: string, what: string, text: string) {
    super(`${tool}: could not read ${what} from its output:\n${text.slice(0, 2000)}`);
  }
}

const WRK_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * wrk 4 with --latency: "Requests/sec:", non-2xx and socket errors, and the percentiles. Those come from the
 * "bench-percentile P µs" lines that `peers/wrk.lua` prints in its done() hook (1 µs resolution, and p99.9, which
 * --latency does not print); without them, from the Latency Distribution block (2 decimals, 50/75/90/99 only).
 */
export function parseWrk(text: string): Measured {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const total = /(\d+) requests in ([\d.]+)(\w+)/.exec(text);
  if (!rps || !total) throw new ParseError('wrk', 'Requests/sec', text);
  const percentile = (p: string): number | undefined => {
    const fromHook = new RegExp(`^bench-percentile ${p.replace('.', '\\.')} (\\d+)\\s*$`, 'm').exec(text);
    if (fromHook) return Number(fromHook[1]) / 1000;
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(text);
    return match ? Number(match[1]) * WRK_UNIT_MS[match[2]!]! : undefined;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    rps: Number(rps[1]),
    requests: Number(total[1]),
    errors: non2xx + socketErrors,
    p50Ms: percentile('50'),
    p90Ms: percentile('90'),
    p99Ms: percentile('99'),
    p999Ms: percentile('99.9'),
  };
}

/** hey's text summary: "Requests/sec:", "NN% in X secs" lines, status code and error distributions. */
export function parseHey(text: string): Measured {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!rps) throw new ParseError('hey', 'Requests/sec', text);
  const percentile = (p: string): number | undefined => {
    const match = new RegExp(`^\\s+${p}%+ in ([\\d.]+) secs`, 'm').exec(text);
    return match ? Number(match[1]) * 1000 : undefined;
  };
  let requests = 0;
  let errors = 0;
  for (const match of text.matchAll(/^\s+\[(\d+)\]\s+(\d+) responses/gm)) {
    requests += Number(match[2]);
    if (!match[1]!.startsWith('2')) errors += Number(match[2]);
  }
  const errorBlock = text.split('Error distribution:')[1] ?? '';
  for (const match of errorBlock.matchAll(/^\s+\[(\d+)\]/gm)) {
    errors += Number(match[1]);
    requests += Number(match[1]);
  }
  return { rps: Number(rps[1]), requests, errors, p50Ms: percentile('50'), p90Ms: percentile('90'), p99Ms: percentile('99') };
}

interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p90: number; p99: number; p99_9: number };
  requests: { total: number };
}

/** autocannon --json: one JSON object (the last line of stdout). Its latencies are whole milliseconds. */
export function parseAutocannon(text: string): Measured {
  const line = text
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new ParseError('autocannon', 'its JSON result', text);
  const json = JSON.parse(line) as AutocannonJson;
  return {
    rps: json.requests.total / json.duration,
    requests: json.requests.total,
    errors: json.errors + json.timeouts + json.non2xx,
    p50Ms: json.latency.p50,
    p90Ms: json.latency.p90,
    p99Ms: json.latency.p99,
    p999Ms: json.latency.p99_9,
  };
}

/**
 * Locust's closing summary (stderr with --only-summary): the "Aggregated" row of the request table
 * (count, failures, ..., req/s) and of the percentile table (50% ... 100%, in ms). Its CSV file is written on
 * a timer and can miss the last second, so the summary is the figure to read.
 */
export function parseLocustSummary(text: string): Measured {
  const rows = text.split('\n').filter((line) => /^\s+Aggregated\s/.test(line));
  const counts = rows.find((line) => line.includes('|'));
  const percentiles = rows.find((line) => !line.includes('|'));
  if (!counts || !percentiles) throw new ParseError('locust', 'the Aggregated rows', text);
  const countCells = counts
    .replace('Aggregated', '')
    .split('|')
    .map((part) => part.trim().split(/\s+/));
  const requests = Number(countCells[0]![0]);
  const failures = Number(/^(\d+)/.exec(countCells[0]![1] ?? '')?.[1]);
  const rps = Number(countCells[2]![0]);
  const p = percentiles.trim().split(/\s+/).slice(1).map(Number); // 50 66 75 80 90 95 98 99 99.9 99.99 100 count
  if (!Number.isFinite(requests) || !Number.isFinite(rps) || p.length < 12) throw new ParseError('locust', 'the Aggregated rows', text);
  return { rps, requests, errors: failures, p50Ms: p[0], p90Ms: p[4], p99Ms: p[7], p999Ms: p[8] };
}

/** `peers/socket-floor.ts`: one JSON object on the last line of stdout, latencies already in ms. */
export function parseSocketFloor(text: string): Measured {
  const line = text
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new ParseError('socket-floor', 'its JSON result', text);
  const json = JSON.parse(line) as Measured;
  if (typeof json.rps !== 'number' || typeof json.requests !== 'number') throw new ParseError('socket-floor', 'rps and requests', text);
  return json;
}
