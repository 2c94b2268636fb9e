import { describe, expect, it } from 'vitest';
import { failureMessage } from '../../src/client/requester.js';
import { toAttempt } from '../../src/metrics/attempt.js';
import { emptyTimings, type Outcome } from '../../src/engines/types.js';
import type { ErrorKind } from '../../src/metrics/vocabulary.js';

const request = { name: 'g', method: 'GET', path: '/api/v2/generate?x=1', headers: {}, stream: 'none' as const };

function failed(errorKind: ErrorKind, errorCode: string | undefined, errorMessage: string | undefined): Outcome {
  return { status: 0, errorKind, errorCode, errorMessage, timings: emptyTimings(), serviceUs: -1, queueUs: -1, retryAfterMs: -1 };
}

describe('failureMessage: one line per failed attempt', () => {
  it.each([
    [
      'a certificate error keeps its code beside the words',
      failed('tls_cert', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT) (GET /api/v2/generate)',
    ],
    [
      'a handshake error keeps its code',
      failed('tls_handshake', 'ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'),
      'wrong version number (ERR_SSL_WRONG_VERSION_NUMBER) (GET /api/v2/generate)',
    ],
    [
      'a code already in the words is not repeated',
      failed('tls_cert', 'ERR_TLS_CERT_ALTNAME_INVALID', "ERR_TLS_CERT_ALTNAME_INVALID: Host: x. is not in the cert's altnames"),
      "ERR_TLS_CERT_ALTNAME_INVALID: Host: x. is not in the cert's altnames (GET /api/v2/generate)",
    ],
    [
      'an OS error says its code in its words already',
      failed('refused', 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
      'connect ECONNREFUSED 127.0.0.1:1 (GET /api/v2/generate)',
    ],
  ])('%s', (_name, outcome, expected) => {
    expect(failureMessage(toAttempt(outcome, false, 0), request, outcome)).toBe(expected);
  });
});
