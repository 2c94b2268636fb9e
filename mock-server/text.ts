/**
 * Fake completions: deterministic words from the seeded PRNG, and token counts a client can check.
 */
import type { Rng } from './prng.js';

const WORDS = (
  'the of and to in is that for it as with was on be by at this from or an are which but not have one all ' +
  'latency tail queue token server client load stream batch slot service time network request response ' +
  'signal measure percentile budget timeout retry window sample capacity throughput'
).split(' ');

export function tokenText(rng: Rng): string {
  return WORDS[Math.floor(rng.next() * WORDS.length)]!;
}

export function completionText(rng: Rng, tokens: number): string {
  const words = new Array<string>(tokens);
  for (let i = 0; i < tokens; i++) words[i] = tokenText(rng);
  return words.join(' ');
}

/** A rough tokenizer stand-in: ~4 characters per token, at least 1. */
export function countPromptTokens(prompt: string): number {
  return Math.max(1, Math.ceil(prompt.length / 4));
}

/** completion_tokens: max_tokens scaled by a uniform draw in [min, max] (both 1 by default: exactly max_tokens). */
export function countCompletionTokens(maxTokens: number, fraction: { min: number; max: number }, rng: Rng): number {
  if (fraction.min === 1 && fraction.max === 1) return maxTokens;
  const scale = fraction.min + (fraction.max - fraction.min) * rng.next();
  return Math.max(1, Math.round(maxTokens * scale));
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
