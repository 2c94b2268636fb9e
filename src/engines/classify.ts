import type { ErrorKind } from '../metrics/vocabulary.js';

/**
 * Certificate verification failures as Node reports them: OpenSSL's X509 verify codes (`CERT_HAS_EXPIRED`,
 * `DEPTH_ZERO_SELF_SIGNED_CERT`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …) and Node's own host-name check
 * (`ERR_TLS_CERT_ALTNAME_INVALID`).
 */
const CERT_CODE =
  /^(ERR_TLS_CERT_|UNABLE_TO_|CERT_|CRL_|ERROR_IN_(CERT|CRL)_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|HOSTNAME_MISMATCH$)/;

/** Handshake failures below the certificate: OpenSSL's `ERR_SSL_*` (alerts, versions, ciphers) and `EPROTO`. */
const HANDSHAKE_CODE = /^(ERR_SSL_|ERR_TLS_(?!HANDSHAKE_TIMEOUT$|CERT_)|EPROTO$)/;

/** Maps a socket or parser error to the kind a report counts it under. */
export function classifyError(error: NodeJS.ErrnoException): ErrorKind {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || error.message === 'socket hang up') return 'reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (CERT_CODE.test(code)) return 'tls_cert';
  if (HANDSHAKE_CODE.test(code)) return 'tls_handshake';
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'timeout_connect';
  // HTTP parser and WebSocket protocol errors: the target answered something that is not the protocol.
  if (code.startsWith('HPE_') || code.startsWith('WS_ERR_')) return 'garbage';
  if (code === 'EADDRNOTAVAIL' || code === 'EMFILE' || code === 'ENFILE' || code === 'EADDRINUSE') return 'socket';
  if (code === 'ABORT_ERR') return 'aborted';
  return 'other';
}
