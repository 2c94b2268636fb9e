import { createSecureContext, rootCertificates, type ConnectionOptions } from 'node:tls';

/** TLS settings as plain data (PEM text, not file names): they cross to worker threads by structured clone. */
export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  /** do not verify the server's certificate */
  insecure: boolean;
  servername?: string;
}

/**
 * The options every TLS connection of a run is opened with: one secure context built once (parsing PEM per
 * connection would cost the hot path), verification on unless `insecure`, and SNI when a name is given.
 * A CA is trusted besides the system's roots, so a token endpoint with a public certificate still verifies.
 * Throws what OpenSSL says of an unreadable PEM or a key that does not match its certificate.
 */
export function tlsConnectionOptions(settings: TlsSettings): ConnectionOptions {
  const secureContext = createSecureContext({
    ...(settings.ca !== undefined ? { ca: [...rootCertificates, settings.ca] } : {}),
    ...(settings.cert !== undefined ? { cert: settings.cert, key: settings.key } : {}),
  });
  return {
    secureContext,
    rejectUnauthorized: !settings.insecure,
    ...(settings.servername !== undefined ? { servername: settings.servername } : {}),
  };
}
