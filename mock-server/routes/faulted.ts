/**
 * Answering with an injected fault. Faults that replace the response are counted under their name
 * ("reset", "hang", "garbage") in the stats, so a test can check what the server did against what the client saw.
 */
import type { Duplex } from 'node:stream';
import { FaultKind, type FaultChoice } from '../faults.js';
import { serverTiming, type Exchange } from '../http.js';

/** Not HTTP: a NUL, bytes that are not a status line, and a bare LF. Any HTTP/1 parser must reject it. */
const GARBAGE = Buffer.from('\u0000\u00ff\u00feNOT-HTTP garbage from the tailscope mock\n\u0001\u0002', 'latin1');

/** Writes bytes no HTTP or WebSocket parser accepts, then drops the connection. */
export function writeGarbage(socket: Duplex): void {
  socket.end(GARBAGE, () => socket.destroy());
}

/** Applies a fault that replaces the response; returns false when the normal answer should go out (None, SlowBody). */
export function applyFault(ex: Exchange, fault: FaultChoice, appMs: number, queueMs: number): boolean {
  switch (fault.kind) {
    case FaultKind.None:
    case FaultKind.SlowBody:
      return false;
    case FaultKind.Status:
      ex.json(fault.status, { error: 'injected_fault', status: fault.status }, appMs, queueMs);
      return true;
    case FaultKind.Reset:
      ex.count('reset');
      // RST rather than FIN: the client sees ECONNRESET, as when a load balancer kills a connection.
      ex.req.socket.resetAndDestroy();
      return true;
    case FaultKind.Hang:
      // Nothing is written; close() on the server (or the client's timeout) ends the connection.
      ex.count('hang');
      return true;
    case FaultKind.Garbage: {
      ex.count('garbage');
      writeGarbage(ex.req.socket);
      return true;
    }
  }
}

/** Sends a normal answer whose body trickles out `chunkBytes` at a time, one chunk per `intervalMs`. */
export function sendSlowly(
  ex: Exchange,
  status: number,
  body: string,
  appMs: number,
  queueMs: number,
  slow: { chunkBytes: number; intervalMs: number },
): void {
  const { res } = ex;
  if (res.headersSent || res.destroyed) return;
  ex.count(status);
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': bytes.length,
    'server-timing': serverTiming(appMs, queueMs),
  });
  let offsetBytes = 0;
  const writeNext = (): void => {
    if (res.destroyed) return;
    const end = Math.min(bytes.length, offsetBytes + slow.chunkBytes);
    const chunk = bytes.subarray(offsetBytes, end);
    offsetBytes = end;
    if (offsetBytes >= bytes.length) res.end(chunk);
    else {
      res.write(chunk);
      setTimeout(writeNext, slow.intervalMs).unref();
    }
  };
  writeNext();
}
