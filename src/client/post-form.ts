import http from 'node:http';
import https from 'node:https';
import type { ConnectionOptions } from 'node:tls';

/** A transport failure (no response): the OS or TLS code and its message. */
export class PostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One POST with a small body, the whole answer read as text (at most `maxBytes`). node:http rather than fetch:
 * fetch cannot take a CA, a client certificate or `insecure` without a dispatcher from a separate package.
 */
export function postText(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; tls?: ConnectionOptions; maxBytes?: number },
): Promise<{ status: number; text: string }> {
  const isHttps = url.protocol === 'https:';
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const request = (isHttps ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(isHttps ? options.tls : undefined),
        // "localhost" may resolve to ::1 first while a server listens on 127.0.0.1 only, as the engines assume.
        ...(url.hostname === 'localhost' ? { family: 4 } : {}),
        timeout: options.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) request.destroy(new PostError('E_RESPONSE_TOO_LARGE', `response larger than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error: NodeJS.ErrnoException) => reject(new PostError(error.code ?? 'ERROR', error.message)));
      },
    );
    request.on('timeout', () => request.destroy(new PostError('ETIMEDOUT', `no answer within ${options.timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      reject(error instanceof PostError ? error : new PostError(error.code ?? 'ERROR', error.message)),
    );
    request.end(body);
  });
}
