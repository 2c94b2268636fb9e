import { inflateSync } from 'node:zlib';

/** hdr-histogram's V2 cookies (the low nibble's 0x10 bit marks the word size): compressed wrapper and payload. */
const COMPRESSED_COOKIE = 0x1c849304;
const PAYLOAD_COOKIE = 0x1c849303;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Why an encoded histogram of a result file is not one tailscope can decode, or undefined when it is: base64,
 * the compressed-V2 cookie, a length the data holds, a deflate stream that inflates, the payload's cookie and a
 * sane range. Checks the header only (no bucket array is built), so a long run's thousands of histograms are
 * checked in milliseconds; hdr-histogram-js itself throws on, or silently misreads, each of these.
 */
export function encodedHistogramProblem(encoded: string): string | undefined {
  const text = encoded.trim();
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) return 'not base64';
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < 8 || (bytes.readInt32BE(0) & ~0xf0) >>> 0 !== COMPRESSED_COOKIE)
    return 'not an HDR histogram (no compressed V2 cookie)';
  const length = bytes.readInt32BE(4);
  if (length <= 0 || 8 + length > bytes.length) return `an HDR histogram cut short (${bytes.length - 8} of ${length} bytes)`;
  let payload: Buffer;
  try {
    payload = inflateSync(bytes.subarray(8, 8 + length), { maxOutputLength: 16 * 1024 * 1024 });
  } catch {
    return 'an HDR histogram whose compressed data is corrupt';
  }
  if (payload.length < 40 || (payload.readInt32BE(0) & ~0xf0) >>> 0 !== PAYLOAD_COOKIE)
    return 'not an HDR histogram (no V2 payload cookie)';
  const payloadLength = payload.readInt32BE(4);
  const digits = payload.readInt32BE(12);
  const lowest = Number(payload.readBigInt64BE(16));
  const highest = Number(payload.readBigInt64BE(24));
  if (payloadLength < 0 || 40 + payloadLength > payload.length) return 'an HDR histogram whose counts are cut short';
  if (digits < 1 || digits > 5 || lowest < 1 || highest < lowest || highest > 2 ** 53) return 'an HDR histogram with an impossible range';
  return undefined;
}
