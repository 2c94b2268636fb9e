/**
 * An incremental HTTP/1.1 response parser for one connection, fed whatever bytes the socket delivers.
 *
 * It is written for a load generator's hot path: it keeps no per-response objects beyond the header block's
 * text, reads only the header values it was asked for at construction, and hands body bytes to a sink as
 * slices of the socket's own buffers (or not at all). Anything it cannot make sense of ends the message as a
 * typed failure, never an exception, so a target that answers garbage is counted, not crashed on.
 *
 * Covered: status line, headers (size and count limits), Content-Length, chunked with extensions and
 * trailers, close-delimited bodies, 1xx interim responses skipped, no body for HEAD, 204 and 304,
 * `Connection: close` and HTTP/1.0 keep-alive rules.
 */

export type ParseFailureKind = 'garbage' | 'too_large' | 'reset';

export interface ParseFailure {
  kind: ParseFailureKind;
  /** a stable code for reports and tests, e.g. HPE_INVALID_STATUS */
  code: string;
}

export interface ParserLimits {
  /** the whole header block, status line included */
  maxHeaderBytes: number;
  maxHeaderCount: number;
  /** body payload bytes (after de-chunking); past it the message fails as `too_large` */
  maxBodyBytes: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxHeaderBytes: 64 * 1024,
  maxHeaderCount: 256,
  maxBodyBytes: 8 * 1024 * 1024,
};

/** Where body bytes go; called with a slice of a socket buffer that is only valid during the call. */
export type BodySink = (data: Buffer, start: number, end: number) => void;

const enum State {
  Head,
  BodyLength,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  BodyUntilClose,
  Done,
  Failed,
}

/** What a call to `execute` ended with. */
export const enum Progress {
  /** every byte consumed, the message is not complete yet */
  NeedMore,
  /** the message is complete; `leftover` bytes of the last chunk were not part of it */
  Complete,
  /** the message failed; see `failure` */
  Failed,
}

const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CONNECTION = Buffer.from('connection', 'latin1');
const CLOSE = Buffer.from('close', 'latin1');
const KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');
/** 1 for the bytes of an RFC 9110 token (header names): ! # $ % & ' * + - . ^ _ ` | ~ digits letters */
const IS_TOKEN = new Uint8Array(256);
for (const char of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") IS_TOKEN[char.charCodeAt(0)] = 1;
/** hex digit value of a byte, or 255 */
const HEX = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}
const CR = 13;
const LF = 10;
/** A chunk-size line longer than this is not a chunk-size line (extensions included). */
const MAX_CHUNK_LINE = 4096;

const STATUS_PREFIX = Buffer.from('HTTP/1.', 'latin1');

/** Whether the bytes from `from` on agree with "HTTP/1." as far as they go. */
function startsLikeStatusLine(block: Buffer, from: number): boolean {
  const length = Math.min(STATUS_PREFIX.length, block.length - from);
  return block.compare(STATUS_PREFIX, 0, length, from, from + length) === 0;
}

/** What a failure code means, in words a report can show beside the count. */
export function describeFailure(code: string, limits: ParserLimits): string {
  switch (code) {
    case 'HPE_INVALID_CONSTANT':
      return 'the answer does not begin with an HTTP/1.x status line';
    case 'HPE_INVALID_STATUS':
      return 'malformed status line';
    case 'HPE_HEADER_OVERFLOW':
      return `response head over ${limits.maxHeaderBytes} bytes or ${limits.maxHeaderCount} header lines`;
    case 'HPE_INVALID_HEADER_TOKEN':
      return 'malformed header line (bad name, or a NUL, CR or LF inside it)';
    case 'HPE_INVALID_CONTENT_LENGTH':
      return 'malformed or conflicting Content-Length';
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return 'both Transfer-Encoding: chunked and Content-Length (refused: a request-smuggling pattern)';
    case 'HPE_INVALID_CHUNK_SIZE':
      return 'malformed chunk in a chunked body';
    case 'HPE_INVALID_TRAILER':
      return 'malformed trailer after a chunked body';
    case 'HPE_UNEXPECTED_UPGRADE':
      return '101 Switching Protocols to a plain HTTP request';
    case 'HPE_TRUNCATED':
      return 'the connection closed before the response was complete';
    case 'HPE_NO_RESPONSE':
      return 'the connection closed before any response';
    case 'E_RESPONSE_TOO_LARGE':
      return `response body over client.maxResponseBytes (${limits.maxBodyBytes} bytes)`;
    default:
      return code;
  }
}

export class ResponseParser {
  /** the final (non-1xx) status, 0 before its head arrived */
  status = 0;
  /** whether the connection may carry another request after this response */
  keepAlive = true;
  /** values of the headers asked for at construction, in that order (repeats joined with ", ") */
  readonly wanted: (string | undefined)[];
  /** body payload bytes received so far */
  bodyBytes = 0;
  /** bytes of the last `execute` input that follow the end of a complete message */
  leftover = 0;
  failure: ParseFailure | undefined;

  private state = State.Head;
  private headPending: Buffer | undefined;
  private bodyRemaining = 0;
  private chunkLine = '';
  private trailerBytes = 0;
  private requestWasHead = false;
  private sawBytes = false;
  private keepHead = false;
  /** the final response's head (status line and headers) when `reset` asked to keep it */
  head: string | undefined;
  /** the wanted header names, lower-cased, as bytes to compare against the head in place */
  private readonly wantedBytes: readonly Buffer[];

  constructor(
    wantedHeaders: readonly string[],
    private readonly limits: ParserLimits = DEFAULT_PARSER_LIMITS,
    private readonly onBody?: BodySink,
  ) {
    this.wantedBytes = wantedHeaders.map((name) => Buffer.from(name.toLowerCase(), 'latin1'));
    this.wanted = this.wantedBytes.map(() => undefined);
  }

  /** Prepares for the response to the next request. */
  reset(requestMethod: string, keepHead = false): void {
    this.keepHead = keepHead;
    this.head = undefined;
    this.status = 0;
    this.keepAlive = true;
    this.wanted.fill(undefined);
    this.bodyBytes = 0;
    this.leftover = 0;
    this.failure = undefined;
    this.state = State.Head;
    this.headPending = undefined;
    this.bodyRemaining = 0;
    this.chunkLine = '';
    this.trailerBytes = 0;
    this.requestWasHead = requestMethod === 'HEAD';
    this.sawBytes = false;
  }

  get complete(): boolean {
    return this.state === State.Done;
  }

  /** True once any byte of a response (interim ones included) has arrived. */
  get started(): boolean {
    return this.sawBytes;
  }

  execute(data: Buffer): Progress {
    if (data.length > 0) this.sawBytes = true;
    let offset = 0;
    while (offset < data.length) {
      switch (this.state) {
        case State.Head:
          offset = this.readHead(data, offset);
          break;
        case State.BodyLength: {
          const take = Math.min(this.bodyRemaining, data.length - offset);
          if (!this.deliver(data, offset, offset + take)) return Progress.Failed;
          this.bodyRemaining -= take;
          offset += take;
          if (this.bodyRemaining === 0) this.state = State.Done;
          break;
        }
        case State.ChunkSize:
          offset = this.readChunkSize(data, offset);
          break;
        case State.ChunkData: {
          const take = Math.min(this.bodyRemaining, data.length - offset);
          if (!this.deliver(data, offset, offset + take)) return Progress.Failed;
          this.bodyRemaining -= take;
          offset += take;
          if (this.bodyRemaining === 0) {
            this.state = State.ChunkDataEnd;
            this.chunkLine = '';
          }
          break;
        }
        case State.ChunkDataEnd:
          offset = this.readChunkDataEnd(data, offset);
          break;
        case State.Trailers:
          offset = this.readTrailers(data, offset);
          break;
        case State.BodyUntilClose:
          if (!this.deliver(data, offset, data.length)) return Progress.Failed;
          offset = data.length;
          break;
        case State.Done:
          this.leftover = data.length - offset;
          return Progress.Complete;
        case State.Failed:
          return Progress.Failed;
      }
      if (this.failure !== undefined) return Progress.Failed;
    }
    // An empty read must not turn a failed message back into one that waits for more.
    if (this.state === State.Failed) return Progress.Failed;
    if (this.state === State.Done) {
      this.leftover = 0;
      return Progress.Complete;
    }
    return Progress.NeedMore;
  }

  /**
   * The connection reached end of file. A close-delimited body ends here; anywhere else the response was cut
   * short (or never came).
   */
  finishAtEof(): Progress {
    if (this.state === State.Done) return Progress.Complete;
    if (this.state === State.Failed) return Progress.Failed;
    if (this.state === State.BodyUntilClose) {
      this.state = State.Done;
      this.keepAlive = false;
      return Progress.Complete;
    }
    this.fail('reset', this.started ? 'HPE_TRUNCATED' : 'HPE_NO_RESPONSE');
    return Progress.Failed;
  }

  // ---- head

  private readHead(data: Buffer, offset: number): number {
    const pendingLength = this.headPending?.length ?? 0;
    // A head split across socket reads is joined (rare: a head usually arrives in one read).
    const block = this.headPending === undefined ? data : Buffer.concat([this.headPending, data.subarray(offset)]);
    const from = this.headPending === undefined ? offset : 0;
    // Bytes that cannot begin a status line are garbage now, not a truncated head at end of file; checked
    // whether or not the head is complete, so that the code does not depend on where the reads split it.
    if (!startsLikeStatusLine(block, from)) {
      this.fail('garbage', 'HPE_INVALID_CONSTANT');
      return data.length;
    }
    // The terminator may straddle the join: look from three bytes before it.
    const end = block.indexOf(CRLF_CRLF, Math.max(from, pendingLength - 3));
    if (end < 0) {
      if (block.length - from > this.limits.maxHeaderBytes) {
        this.fail('garbage', 'HPE_HEADER_OVERFLOW');
        return data.length;
      }
      // A copy: the socket may reuse its buffer after this call.
      this.headPending = Buffer.from(block.subarray(from));
      return data.length;
    }
    if (end + 4 - from > this.limits.maxHeaderBytes) {
      this.fail('garbage', 'HPE_HEADER_OVERFLOW');
      return data.length;
    }
    this.headPending = undefined;
    if (this.keepHead) this.head = block.toString('latin1', from, end);
    this.parseHead(block, from, end);
    // Position end + 4 of the joined block is data[offset + end + 4 - pendingLength].
    return block === data ? end + 4 : offset + end + 4 - pendingLength;
  }

  /**
   * Reads the header block in place, byte by byte: no string is made but for the values asked for, so a
   * response costs a scan rather than a header object. `end` is where the closing CRLF CRLF starts.
   */
  private parseHead(block: Buffer, from: number, end: number): void {
    let lineEnd = block.indexOf(CRLF, from);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    // "HTTP/1.x NNN[ reason]" (the "HTTP/1." prefix was checked as the bytes came in)
    const minor = block[from + 7];
    if (lineEnd - from < 12 || (minor !== 0x30 && minor !== 0x31) || block[from + 8] !== SPACE) {
      return this.fail('garbage', 'HPE_INVALID_STATUS');
    }
    const status = digit(block[from + 9]!) * 100 + digit(block[from + 10]!) * 10 + digit(block[from + 11]!);
    if (!(status >= 100) || (lineEnd - from > 12 && block[from + 12] !== SPACE)) return this.fail('garbage', 'HPE_INVALID_STATUS');
    for (let i = from + 13; i < lineEnd; i++) {
      if (block[i] === 0 || block[i] === LF) return this.fail('garbage', 'HPE_INVALID_STATUS');
    }
    const http10 = minor === 0x30;

    let contentLength = -1;
    let chunked = false;
    let transferEncoding = false;
    let sawClose = false;
    let sawKeepAlive = false;
    let headerCount = 0;
    for (let lineStart = lineEnd + 2; lineStart < end; lineStart = lineEnd + 2) {
      if (++headerCount > this.limits.maxHeaderCount) return this.fail('garbage', 'HPE_HEADER_OVERFLOW');
      // The name: one or more token characters up to the colon (no space before it, no folded line).
      let colon = lineStart;
      while (colon < end && IS_TOKEN[block[colon]!] === 1) colon++;
      if (colon === lineStart || colon === end || block[colon] !== COLON) return this.fail('garbage', 'HPE_INVALID_HEADER_TOKEN');
      // The value runs to the CR of the line's CRLF; a NUL, a bare LF or a bare CR in it is not HTTP.
      lineEnd = colon + 1;
      while (lineEnd < end) {
        const byte = block[lineEnd]!;
        if (byte === CR) {
          if (block[lineEnd + 1] !== LF) return this.fail('garbage', 'HPE_INVALID_HEADER_TOKEN');
          break;
        }
        if (byte === 0 || byte === LF) return this.fail('garbage', 'HPE_INVALID_HEADER_TOKEN');
        lineEnd++;
      }
      let valueStart = colon + 1;
      let valueEnd = lineEnd;
      while (valueStart < valueEnd && isOws(block[valueStart]!)) valueStart++;
      while (valueEnd > valueStart && isOws(block[valueEnd - 1]!)) valueEnd--;
      const nameLength = colon - lineStart;

      if (nameLength === CONTENT_LENGTH.length && equalsLower(block, lineStart, CONTENT_LENGTH)) {
        const length = decimal(block, valueStart, valueEnd);
        if (length < 0 || (contentLength >= 0 && contentLength !== length)) return this.fail('garbage', 'HPE_INVALID_CONTENT_LENGTH');
        contentLength = length;
      } else if (nameLength === TRANSFER_ENCODING.length && equalsLower(block, lineStart, TRANSFER_ENCODING)) {
        transferEncoding = true;
        // Only the last coding decides whether the body is chunked (RFC 9112 §6.3).
        const codings = block.toString('latin1', valueStart, valueEnd).toLowerCase().split(',');
        chunked = codings[codings.length - 1]!.trim() === 'chunked';
      } else if (nameLength === CONNECTION.length && equalsLower(block, lineStart, CONNECTION)) {
        // A list of whole tokens ("x-close-reason" is not "close"), and close wins whatever line it is on.
        for (let tokenStart = valueStart; tokenStart <= valueEnd;) {
          let tokenEnd = block.indexOf(COMMA, tokenStart);
          if (tokenEnd < 0 || tokenEnd > valueEnd) tokenEnd = valueEnd;
          let a = tokenStart;
          let b = tokenEnd;
          while (a < b && isOws(block[a]!)) a++;
          while (b > a && isOws(block[b - 1]!)) b--;
          if (b - a === CLOSE.length && equalsLower(block, a, CLOSE)) sawClose = true;
          else if (b - a === KEEP_ALIVE.length && equalsLower(block, a, KEEP_ALIVE)) sawKeepAlive = true;
          tokenStart = tokenEnd + 1;
        }
      }
      for (let w = 0; w < this.wantedBytes.length; w++) {
        const wantedName = this.wantedBytes[w]!;
        if (nameLength !== wantedName.length || !equalsLower(block, lineStart, wantedName)) continue;
        const value = block.toString('latin1', valueStart, valueEnd);
        const previous = this.wanted[w];
        this.wanted[w] = previous === undefined ? value : `${previous}, ${value}`;
      }
    }

    if (status < 200) {
      // Interim response (100 Continue, 103 Early Hints): skip it and wait for the final one.
      if (status === 101) return this.fail('garbage', 'HPE_UNEXPECTED_UPGRADE');
      this.wanted.fill(undefined);
      this.state = State.Head;
      return;
    }
    this.status = status;
    this.keepAlive = !sawClose && (!http10 || sawKeepAlive);
    if (this.requestWasHead || status === 204 || status === 304) {
      this.state = State.Done;
    } else if (transferEncoding && chunked) {
      // Transfer-Encoding overrides Content-Length; both at once is a smuggling vector, so it is refused.
      if (contentLength >= 0) return this.fail('garbage', 'HPE_UNEXPECTED_CONTENT_LENGTH');
      this.state = State.ChunkSize;
      this.chunkLine = '';
    } else if (transferEncoding) {
      // A final coding other than chunked: the body runs to the end of the connection.
      this.state = State.BodyUntilClose;
      this.keepAlive = false;
    } else if (contentLength >= 0) {
      if (contentLength > this.limits.maxBodyBytes) return this.fail('too_large', 'E_RESPONSE_TOO_LARGE');
      this.bodyRemaining = contentLength;
      this.state = contentLength === 0 ? State.Done : State.BodyLength;
    } else {
      this.state = State.BodyUntilClose;
      this.keepAlive = false;
    }
  }

  // ---- chunked

  private readChunkSize(data: Buffer, offset: number): number {
    const lf = data.indexOf(LF, offset);
    let size: number;
    let end: number;
    if (this.chunkLine.length === 0 && lf >= 0) {
      // The usual case: the whole line is in this read.
      end = lf + 1;
      if (end - offset > MAX_CHUNK_LINE) {
        this.fail('garbage', 'HPE_INVALID_CHUNK_SIZE');
        return data.length;
      }
      size = chunkSize(data, offset, lf);
    } else {
      // A line split across reads is gathered first.
      end = lf < 0 ? data.length : lf + 1;
      this.chunkLine += data.toString('latin1', offset, end);
      if (this.chunkLine.length > MAX_CHUNK_LINE) {
        this.fail('garbage', 'HPE_INVALID_CHUNK_SIZE');
        return data.length;
      }
      if (lf < 0) return end;
      const line = Buffer.from(this.chunkLine, 'latin1');
      this.chunkLine = '';
      size = chunkSize(line, 0, line.length - 1);
    }
    if (size < 0) {
      this.fail('garbage', 'HPE_INVALID_CHUNK_SIZE');
      return end;
    }
    if (size === 0) {
      this.state = State.Trailers;
      this.trailerBytes = 0;
      return end;
    }
    if (this.bodyBytes + size > this.limits.maxBodyBytes) {
      this.fail('too_large', 'E_RESPONSE_TOO_LARGE');
      return end;
    }
    this.bodyRemaining = size;
    this.state = State.ChunkData;
    return end;
  }

  private readChunkDataEnd(data: Buffer, offset: number): number {
    // Exactly CRLF must follow a chunk's data.
    if (this.chunkLine.length === 0 && offset + 1 < data.length) {
      if (data[offset] !== CR || data[offset + 1] !== LF) {
        this.fail('garbage', 'HPE_INVALID_CHUNK_SIZE');
        return data.length;
      }
      this.state = State.ChunkSize;
      return offset + 2;
    }
    while (offset < data.length && this.chunkLine.length < 2) {
      this.chunkLine += String.fromCharCode(data[offset]!);
      offset += 1;
    }
    if (this.chunkLine.length === 2) {
      if (this.chunkLine !== '\r\n') {
        this.fail('garbage', 'HPE_INVALID_CHUNK_SIZE');
        return data.length;
      }
      this.chunkLine = '';
      this.state = State.ChunkSize;
    }
    return offset;
  }

  /** Trailer lines after the last chunk, up to an empty line; their content is not needed. */
  private readTrailers(data: Buffer, offset: number): number {
    // The usual case: no trailers, just the empty line that ends the message.
    if (this.chunkLine.length === 0 && offset + 1 < data.length && data[offset] === CR && data[offset + 1] === LF) {
      this.state = State.Done;
      return offset + 2;
    }
    while (offset < data.length) {
      const lf = data.indexOf(LF, offset);
      const end = lf < 0 ? data.length : lf + 1;
      this.chunkLine += data.toString('latin1', offset, end);
      this.trailerBytes += end - offset;
      if (this.trailerBytes > this.limits.maxHeaderBytes) {
        this.fail('garbage', 'HPE_HEADER_OVERFLOW');
        return data.length;
      }
      offset = end;
      if (lf < 0) return offset;
      const line = this.chunkLine;
      this.chunkLine = '';
      if (line === '\r\n') {
        this.state = State.Done;
        return offset;
      }
      if (line.length < 2 || line.charCodeAt(line.length - 2) !== CR || line.indexOf(':') <= 0) {
        this.fail('garbage', 'HPE_INVALID_TRAILER');
        return data.length;
      }
    }
    return offset;
  }

  // ---- body

  private deliver(data: Buffer, start: number, end: number): boolean {
    this.bodyBytes += end - start;
    if (this.bodyBytes > this.limits.maxBodyBytes) {
      this.fail('too_large', 'E_RESPONSE_TOO_LARGE');
      return false;
    }
    if (this.onBody !== undefined && end > start) this.onBody(data, start, end);
    return true;
  }

  private fail(kind: ParseFailureKind, code: string): void {
    this.state = State.Failed;
    this.failure = { kind, code };
    this.keepAlive = false;
  }
}

function digit(byte: number): number {
  return byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : NaN;
}

function isOws(byte: number): boolean {
  return byte === SPACE || byte === TAB;
}

/** Whether block[at…] equals `lower` (lower-case ASCII), ignoring the case of letters in the block. */
function equalsLower(block: Buffer, at: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) {
    let byte = block[at + i]!;
    if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
    if (byte !== lower[i]) return false;
  }
  return true;
}

/** A decimal of 1–15 digits between start and end, or -1. */
function decimal(block: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = digit(block[i]!);
    if (Number.isNaN(d)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The size of a chunk-size line `hex[ws][;ext]CR` ending just before `lf`, or -1 when the line is not one.
 * Up to 12 hex digits: more than a body limit could ever allow, and short of losing precision.
 */
function chunkSize(line: Buffer, start: number, lf: number): number {
  if (lf - start < 2 || line[lf - 1] !== CR) return -1;
  const end = lf - 1;
  let i = start;
  let size = 0;
  while (i < end && HEX[line[i]!]! !== 255) {
    size = size * 16 + HEX[line[i]!]!;
    i++;
  }
  if (i === start || i - start > 12) return -1;
  while (i < end && isOws(line[i]!)) i++;
  if (i < end && line[i] !== SEMICOLON) return -1;
  return size;
}
