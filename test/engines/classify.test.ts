import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/engines/classify.js';

const error = (code: string | undefined, message = 'x') => Object.assign(new Error(message), { code }) as NodeJS.ErrnoException;

describe('classifyError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ECONNRESET', 'reset'],
    ['ENOTFOUND', 'dns'],
    // certificate verification: the server is there, its certificate is not trusted
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls_cert'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls_cert'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls_cert'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls_cert'],
    ['CERT_HAS_EXPIRED', 'tls_cert'],
    ['CERT_NOT_YET_VALID', 'tls_cert'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls_cert'],
    ['HOSTNAME_MISMATCH', 'tls_cert'],
    // the handshake below the certificate
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls_handshake'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tls_handshake'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'tls_handshake'],
    ['ERR_TLS_INVALID_PROTOCOL_VERSION', 'tls_handshake'],
    ['EPROTO', 'tls_handshake'],
    ['ERR_TLS_HANDSHAKE_TIMEOUT', 'timeout_connect'],
    ['HPE_INVALID_CONSTANT', 'garbage'],
    ['EMFILE', 'socket'],
    [undefined, 'other'],
  ])('%s is %s', (code, kind) => {
    expect(classifyError(error(code))).toBe(kind);
  });
});
