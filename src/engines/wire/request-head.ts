import type { PreparedRequest } from '../types.js';

/** A header name or value that would end the header line early (request splitting). */
export class InvalidHeaderError extends Error {
  readonly code = 'ERR_INVALID_CHAR';
}

const LINE_BREAK = /[\r\n\0]/;

export interface HeadOptions {
  /** the Host header: host[:port] as the target URL names it */
  host: string;
  /** false: ask the server to close after the response (the pool then opens a socket per request) */
  keepAlive: boolean;
}

/**
 * The bytes of one request, head and body in one buffer so that it goes out in a single write.
 * Header names arrive lower-cased from the preparer; Host and the Authorization value are added here.
 */
export function encodeRequest(request: PreparedRequest, options: HeadOptions, authorization: string | undefined): Buffer {
  if (LINE_BREAK.test(request.path) || /\s/.test(request.path) || LINE_BREAK.test(request.method)) {
    throw new InvalidHeaderError(`request line of "${request.name}" contains whitespace or a line break`);
  }
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${options.host}\r\n`;
  for (const name in request.headers) {
    if (name === 'host' || name === 'authorization' || name === 'connection') continue;
    head += headerLine(name, request.headers[name]!);
  }
  const explicitAuthorization = request.headers.authorization;
  if (authorization !== undefined) head += headerLine('authorization', authorization);
  else if (explicitAuthorization !== undefined) head += headerLine('authorization', explicitAuthorization);
  if (!options.keepAlive) head += 'connection: close\r\n';
  const bodyLength = request.body?.length ?? 0;
  // Without a length the server would read the body as the next request (node:http adds it the same way).
  if (request.body && request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) {
    head += `content-length: ${bodyLength}\r\n`;
  }
  head += '\r\n';
  const headLength = Buffer.byteLength(head, 'utf8');
  const bytes = Buffer.allocUnsafe(headLength + bodyLength);
  bytes.write(head, 0, 'utf8');
  if (request.body) request.body.copy(bytes, headLength);
  return bytes;
}

function headerLine(name: string, value: string): string {
  if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) {
    throw new InvalidHeaderError(`header "${name.replace(LINE_BREAK, ' ')}" contains a line break`);
  }
  return `${name}: ${value}\r\n`;
}

/**
 * Request bytes are encoded once per distinct request and reused: the preparer hands out the same object for
 * every request without templates, so a weak map on it is the cache. Only a change of token re-encodes.
 */
export class EncodedRequests {
  private readonly cache = new WeakMap<PreparedRequest, { authorization: string | undefined; bytes: Buffer }>();

  constructor(private readonly options: HeadOptions) {}

  bytesOf(request: PreparedRequest, authorization: string | undefined): Buffer {
    const cached = this.cache.get(request);
    if (cached !== undefined && cached.authorization === authorization) return cached.bytes;
    const bytes = encodeRequest(request, this.options, authorization);
    this.cache.set(request, { authorization, bytes });
    return bytes;
  }
}
