/**
 * The generate request body: checked by hand rather than by schema, because it is on the hot path and every
 * error must name the field a client got wrong.
 */

export interface GenerateRequest {
  prompt: string;
  maxTokens: number;
  temperature: number;
  stream: boolean;
  async: boolean;
  callbackUrl: string | undefined;
  /** WebSocket only: the token may come in the first message instead of a header. */
  accessToken: string | undefined;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; field?: string; message: string };

/** `temperature` when the body leaves it out */
export const DEFAULT_TEMPERATURE = 1.0;

const invalid = (field: string, message: string): Parsed<never> => ({ ok: false, error: 'invalid_request', field, message });

export function parseGenerateBody(text: string, maxTokensLimit: number): Parsed<GenerateRequest> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: 'invalid_json', message: `body is not valid JSON (truncated?): ${(error as Error).message}` };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, error: 'invalid_request', message: 'body must be a JSON object' };
  }
  const b = body as Record<string, unknown>;
  if (typeof b['prompt'] !== 'string') return invalid('prompt', 'prompt must be a string');
  const maxTokens = b['max_tokens'];
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return invalid('max_tokens', 'max_tokens must be an integer ≥ 1');
  }
  if (maxTokens > maxTokensLimit) return invalid('max_tokens', `max_tokens must be at most ${maxTokensLimit}`);
  // Optional, as in the APIs this mock stands for: a client that leaves it out gets the default, not a 400.
  const temperature = b['temperature'] ?? DEFAULT_TEMPERATURE;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature)) {
    return invalid('temperature', 'temperature must be a number');
  }
  const stream = b['stream'] ?? false;
  if (typeof stream !== 'boolean') return invalid('stream', 'stream must be a boolean');
  const isAsync = b['async'] ?? false;
  if (typeof isAsync !== 'boolean') return invalid('async', 'async must be a boolean');
  if (stream && isAsync) return invalid('async', 'stream and async cannot both be true');
  const callbackUrl = b['callback_url'];
  if (callbackUrl !== undefined && typeof callbackUrl !== 'string') return invalid('callback_url', 'callback_url must be a string');
  if (callbackUrl !== undefined && !isLoopbackHttp(callbackUrl)) {
    // Refused up front rather than accepted and never called: the mock only ever calls back to this machine.
    return invalid('callback_url', 'callback_url must be an http:// URL on a loopback host (127.0.0.1, localhost, [::1])');
  }
  const accessToken = b['access_token'];
  if (accessToken !== undefined && typeof accessToken !== 'string') return invalid('access_token', 'access_token must be a string');
  return {
    ok: true,
    value: { prompt: b['prompt'], maxTokens, temperature, stream, async: isAsync, callbackUrl, accessToken },
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The only callbacks the mock makes: plain http to this machine, so it can never be turned on another host. */
export function isLoopbackHttp(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}
