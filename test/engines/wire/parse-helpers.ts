import {
  DEFAULT_PARSER_LIMITS,
  Progress,
  ResponseParser,
  type ParseFailure,
  type ParserLimits,
} from '../../../src/engines/wire/response-parser.js';

/** Everything a parse ended with, in plain data so that two parses compare with one `toEqual`. */
export interface ParseSummary {
  ended: 'complete' | 'failed' | 'need_more';
  /** whether the end came from `finishAtEof` rather than from the bytes themselves */
  atEof: boolean;
  status: number;
  keepAlive: boolean;
  wanted: (string | undefined)[];
  bodyBytes: number;
  /** what the sink received, concatenated */
  body: string;
  /**
   * input bytes after the end of a complete message: `leftover` of the last piece plus any pieces never fed
   * (0 unless complete: after a failure the rest of the input means nothing)
   */
  unconsumed: number;
  failure: ParseFailure | undefined;
}

export interface ParseOptions {
  wanted?: readonly string[];
  limits?: Partial<ParserLimits>;
  /** the request method the response answers (HEAD: no body) */
  method?: string;
  /** call `finishAtEof()` when every piece was fed and the message still needs more */
  eof?: boolean;
}

const NAMES: Record<Progress, ParseSummary['ended']> = {
  [Progress.NeedMore]: 'need_more',
  [Progress.Complete]: 'complete',
  [Progress.Failed]: 'failed',
};

/** Feeds `pieces` to a fresh parser in order, stopping at the first piece that completes or fails the message. */
export function parsePieces(pieces: readonly Buffer[], options: ParseOptions = {}): ParseSummary {
  const sunk: Buffer[] = [];
  const parser = new ResponseParser(
    options.wanted ?? [],
    { ...DEFAULT_PARSER_LIMITS, ...options.limits },
    // Copied: the slice is only valid during the call.
    (data, start, end) => sunk.push(Buffer.from(data.subarray(start, end))),
  );
  parser.reset(options.method ?? 'GET');
  let progress = Progress.NeedMore;
  let unconsumed = 0;
  let i = 0;
  for (; i < pieces.length; i++) {
    progress = parser.execute(pieces[i]!);
    if (progress !== Progress.NeedMore) break;
  }
  if (progress === Progress.Complete) {
    unconsumed = parser.leftover;
    for (i += 1; i < pieces.length; i++) unconsumed += pieces[i]!.length;
  }
  let atEof = false;
  if (progress === Progress.NeedMore && options.eof) {
    atEof = true;
    progress = parser.finishAtEof();
  }
  return {
    ended: NAMES[progress],
    atEof,
    status: parser.status,
    keepAlive: parser.keepAlive,
    wanted: [...parser.wanted],
    bodyBytes: parser.bodyBytes,
    body: Buffer.concat(sunk).toString('latin1'),
    unconsumed,
    failure: parser.failure,
  };
}

/** The response in one piece. */
export function parse(raw: string | Buffer, options: ParseOptions = {}): ParseSummary {
  return parsePieces([toBuffer(raw)], options);
}

export function toBuffer(raw: string | Buffer): Buffer {
  return typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
}

/** `raw` cut at the given ascending offsets. */
export function splitAt(raw: Buffer, cuts: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(raw.subarray(from, cut));
    from = cut;
  }
  pieces.push(raw.subarray(from));
  return pieces;
}
