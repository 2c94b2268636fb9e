import * as hdr from 'hdr-histogram-js';

/**
 * The histogram type every part of tailscope shares: JS-backed (never leaks like WASM ones), 64-bit counts.
 * The JS class is used rather than the `Histogram` interface because analysis walks its buckets.
 */
export type Histogram = hdr.JsHistogram;

/**
 * One hour in microseconds: the largest latency a histogram tracks. Longer values are clamped
 * to it (and counted as such by the caller's timeouts long before that).
 */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;

export function createHistogram(): Histogram {
  return <Histogram>hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

/** Records a duration in microseconds, rounded to the nearest whole µs (HDR stores integers). */
export function recordUs(histogram: Histogram, valueUs: number): void {
  const rounded = Math.round(valueUs);
  histogram.recordValue(rounded < 0 ? 0 : rounded > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : rounded);
}

/** Compressed base64, the interchange form of result.json and worker messages. */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  // Decode into 64-bit buckets: the default (32-bit) would overflow on long soak runs.
  const decoded = hdr.decodeFromCompressedBase64(encoded, 64, false);
  // Re-home into our standard shape so that merges never hit a range mismatch.
  const histogram = createHistogram();
  histogram.add(<Histogram>decoded);
  return histogram;
}

/** Exact merge: bucket counts add, so percentiles of the merge are those of the whole population. */
export function mergeEncoded(encodedParts: Iterable<string>): Histogram {
  const merged = createHistogram();
  for (const encoded of encodedParts) merged.add(<Histogram>hdr.decodeFromCompressedBase64(encoded, 64, false));
  return merged;
}

/**
 * The values of `whole` that are not in `part` (part must be a sub-population of whole, recorded into the
 * same buckets): bucket counts subtract exactly.
 */
export function subtractEncoded(whole: string, part: string | undefined): Histogram {
  const result = decodeHistogram(whole);
  if (part) result.subtract(decodeHistogram(part));
  return result;
}
