import { lookup } from 'node:dns/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { classifyError } from '../engines/classify.js';
import { redactUrl } from '../scenario/redact.js';
import { StoppedBeforeLoadError, throwIfStopped } from './interrupted.js';

/**
 * A target that cannot be reached before any load is sent: the scenario (or the network) is wrong, not the
 * target's capacity. The CLI maps the code to exit 2, with the URL and the operating system's error.
 */
export class TargetUnreachableError extends Error {
  readonly code = 'E_TARGET_UNREACHABLE';
  constructor(
    /** the URL as reports show it: credentials dropped */
    readonly url: string,
    /** the OS or TLS error code: ECONNREFUSED, ENOTFOUND, ETIMEDOUT, CERT_HAS_EXPIRED, … */
    readonly osError: string,
    detail: string,
  ) {
    super(`target ${url} is unreachable: ${detail}`);
    this.name = 'TargetUnreachableError';
  }
}

/**
 * Resolves, connects and (for https) completes one TLS handshake with each origin before any load, so a closed
 * port or a misspelt host fails in well under a second with its cause, instead of turning into thousands of
 * refused connections read as a "generator saturated" run.
 *
 * A TLS failure (an untrusted certificate, a failed handshake) is returned rather than thrown: the target is
 * there, and the run goes on so that its attempts are counted under their kind (`tls_cert`, `tls_handshake`)
 * with this reason printed first; the unreachable watch ends it once every attempt has failed for a while.
 *
 * Aborting the signal ends it at once with StoppedBeforeLoadError, its socket destroyed: a target that accepts
 * and then stalls the TLS handshake would otherwise hold a Ctrl-C for the whole timeout.
 */
export async function preflight(
  urls: readonly string[],
  timeoutMs: number,
  tls?: ConnectionOptions,
  signal?: AbortSignal,
): Promise<string[]> {
  const origins = [...new Set(urls.map((url) => new URL(url).origin))];
  const tlsProblems: string[] = [];
  for (const origin of origins) {
    const problem = await reach(new URL(origin), timeoutMs, tls, signal);
    if (problem) tlsProblems.push(`${redactUrl(origin)}: ${problem}`);
  }
  return tlsProblems;
}

/** Resolves when the origin answered (undefined) or failed its TLS handshake (the reason); rejects otherwise. */
async function reach(
  url: URL,
  timeoutMs: number,
  tls: ConnectionOptions | undefined,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  throwIfStopped(signal);
  const shown = redactUrl(url.href).replace(/\/$/, '');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = Number(url.port) || (https ? 443 : 80);
  // The engines ask for IPv4 for `localhost`; the preflight resolves the same way they will connect.
  const family = host === 'localhost' ? 4 : 0;
  let address: string;
  try {
    address = (await untilStopped(lookup(host, { family }), signal)).address;
  } catch (error) {
    if (error instanceof StoppedBeforeLoadError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'EAI_FAIL';
    throw new TargetUnreachableError(shown, code, `cannot resolve ${host} (${code})`);
  }
  return new Promise<string | undefined>((resolve, reject) => {
    const socket: Socket = https
      ? connectTls({ host: address, port, servername: isIp(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...tls })
      : connectTcp({ host: address, port });
    const settle = (error?: Error, tlsProblem?: string) => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(tlsProblem);
    };
    const fail = (code: string, detail: string) => settle(new TargetUnreachableError(shown, code, detail));
    const onAbort = () => settle(new StoppedBeforeLoadError(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => fail('ETIMEDOUT', `connect ETIMEDOUT ${address}:${port} (no answer within ${timeoutMs} ms)`));
    socket.once(https ? 'secureConnect' : 'connect', () => settle());
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'ERROR';
      const tlsProblem = https ? tlsReason(error, code) : undefined;
      if (tlsProblem) settle(undefined, tlsProblem);
      else fail(code, error.message);
    });
  });
}

/** A lookup cannot be cancelled; a stop stops waiting for it (the resolver's thread finishes on its own). */
function untilStopped<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new StoppedBeforeLoadError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A TLS failure in the words and kind a run would count it under, with what to change: the certificate is not
 * trusted (`tls_cert`), or the handshake itself failed (`tls_handshake`). Undefined for other errors.
 */
export function tlsReason(error: NodeJS.ErrnoException, code: string): string | undefined {
  const kind = classifyError(error);
  if (kind === 'tls_cert') {
    return (
      `tls_cert: the server's certificate is not trusted: ${error.message} (${code}); give its CA as client.tls.ca` +
      `${code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ' or the name it was issued for as client.tls.servername' : ''}, or set client.tls.insecure: true to skip verification`
    );
  }
  if (kind === 'tls_handshake') return `tls_handshake: the TLS handshake failed: ${error.message} (${code})`;
  return undefined;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
