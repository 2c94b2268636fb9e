import { performance } from 'node:perf_hooks';
import type { ErrorKind } from './vocabulary.js';
import type { AttemptRecord } from './metric-set.js';

/**
 * Phase times of one attempt in microseconds from the moment the engine was asked to send it.
 * A phase that did not happen (no new socket, no response) is -1.
 */
export interface PhaseTimings {
  /** when the request got a socket: later than 0 when it waited for a free pooled connection */
  socketUs: number;
  dnsUs: number;
  connectUs: number;
  tlsUs: number;
  writeUs: number;
  ttfbUs: number;
  totalUs: number;
}

export interface StreamTimings {
  ttftUs: number;
  /** gaps between consecutive tokens, first token excluded */
  interTokenUs: number[];
  chunks: number;
  /** completion tokens as the server's final usage report states them, when it sends one */
  usageTokens?: number;
}

/** What an engine measured of one attempt: the part toAttempt turns into a record (engines/types.ts extends it). */
export interface MeasuredOutcome {
  /** HTTP status, 0 when no response arrived */
  status: number;
  /** set when the attempt failed before a complete response */
  errorKind?: ErrorKind;
  errorCode?: string;
  /**
   * A short reason for the failure as the engine saw it, e.g. `getaddrinfo ENOTFOUND api.example` or
   * `Parse Error: Invalid header value char`: one line, no stack. The requester adds where it happened and
   * scrubs secrets; the report shows the first of each kind.
   */
  errorMessage?: string;
  timings: PhaseTimings;
  /** server-reported time (Server-Timing or a configured header), -1 when absent */
  serviceUs: number;
  queueUs: number;
  /** parsed Retry-After in ms on 429/503, -1 when absent */
  retryAfterMs: number;
  stream?: StreamTimings;
}

/**
 * Turns engine timestamps (µs since send) into phase durations for the histograms. With an intended send
 * time (open model), the first attempt's latency counts from it and the uncorrected view is kept beside.
 */
export function toAttempt(
  outcome: MeasuredOutcome,
  ok: boolean,
  sentAtMs: number,
  intendedAtMs?: number,
  firstAttempt = true,
): AttemptRecord {
  const t = outcome.timings;
  const finishedUs = t.totalUs >= 0 ? t.totalUs : (performance.now() - sentAtMs) * 1000;
  const lateUs = intendedAtMs !== undefined && firstAttempt ? Math.max(0, (sentAtMs - intendedAtMs) * 1000) : 0;
  const dnsEnd = Math.max(t.dnsUs, 0);
  const connectEnd = t.connectUs >= 0 ? t.connectUs : dnsEnd;
  const hasResponse = t.ttfbUs >= 0;
  // A stream's server timing arrives with the headers, so it is held against the wait to the first byte.
  const waitedUs = outcome.stream ? t.ttfbUs : finishedUs;
  const reportedUs = hasResponse ? outcome.serviceUs : -1;
  const serverTimingRejected = reportedUs > waitedUs + Math.max(SERVER_TIMING_SLACK_US, waitedUs * SERVER_TIMING_SLACK_SHARE);
  const serviceUs = serverTimingRejected ? -1 : reportedUs;
  return {
    ok,
    status: outcome.status,
    errorKind: outcome.errorKind ?? (ok ? undefined : 'status'),
    totalUs: finishedUs + lateUs,
    // The uncorrected view starts when the request actually went out on a socket, as a tool that waits
    // for a free connection before timing would see it (wrk's view, which wrk2 corrects).
    totalUncorrectedUs: intendedAtMs !== undefined ? finishedUs - Math.max(t.socketUs, 0) : -1,
    dnsUs: t.dnsUs,
    connectUs: t.connectUs >= 0 ? t.connectUs - dnsEnd : -1,
    tlsUs: t.tlsUs >= 0 ? t.tlsUs - connectEnd : -1,
    writeUs: t.writeUs,
    ttfbUs: t.ttfbUs,
    downloadUs: hasResponse && t.totalUs >= 0 ? t.totalUs - t.ttfbUs : -1,
    serviceUs,
    queueUs: hasResponse && !serverTimingRejected ? outcome.queueUs : -1,
    // Whatever of the wait the server does not account for (wire, kernel, proxies, connection setup,
    // download). A stream's server timing arrives with the headers, so for streams it is measured to the
    // first byte; the token phase is the service's.
    networkUs:
      hasResponse && serviceUs >= 0 && t.totalUs >= 0
        ? Math.max(0, (outcome.stream ? t.ttfbUs : t.totalUs) - serviceUs - Math.max(outcome.queueUs, 0))
        : -1,
    ttftUs: outcome.stream && outcome.stream.ttftUs >= 0 ? outcome.stream.ttftUs + lateUs : -1,
    interTokenUs: outcome.stream?.interTokenUs,
    usageTokens: outcome.stream?.usageTokens,
    chunkTokens: outcome.stream?.chunks,
    ...(serverTimingRejected ? { serverTimingRejected } : {}),
  };
}

/**
 * A server cannot spend longer on a request than its client waited for the answer. Reported durations past the
 * wait by more than this are rejected: 1 ms for servers that round to whole milliseconds, 5% for clocks that
 * run a little differently.
 */
const SERVER_TIMING_SLACK_US = 1_000;
const SERVER_TIMING_SLACK_SHARE = 0.05;

export function emptyTimings(): PhaseTimings {
  return { socketUs: -1, dnsUs: -1, connectUs: -1, tlsUs: -1, writeUs: -1, ttfbUs: -1, totalUs: -1 };
}

/** An attempt that ended without a response: only its kind, status and how long it took are known. */
export function failedAttempt(errorKind: ErrorKind, status: number, totalUs: number, errorMessage?: string): AttemptRecord {
  return {
    ...(errorMessage !== undefined && { errorMessage }),
    ok: false,
    status,
    errorKind,
    totalUs,
    totalUncorrectedUs: -1,
    dnsUs: -1,
    connectUs: -1,
    tlsUs: -1,
    writeUs: -1,
    ttfbUs: -1,
    downloadUs: -1,
    serviceUs: -1,
    queueUs: -1,
    networkUs: -1,
    ttftUs: -1,
  };
}
