import { headerOf, type KeptResponse } from '../engines/types.js';
import { parseJsonBody } from '../shared/json-path.js';

/**
 * One response as checks and usage reading see it. The body is decoded and parsed at most once, and only when
 * something asks: a run whose checks read only the status never parses a body.
 */
export class ResponseView {
  private text: string | undefined;
  private parsed: ReturnType<typeof parseJsonBody> | undefined;
  /** header values already looked up: a content-type read for usage and for a check scans the head once */
  private readonly headers = new Map<string, string | undefined>();

  constructor(
    readonly status: number,
    private readonly kept: KeptResponse | undefined,
  ) {}

  header(name: string): string | undefined {
    if (!this.kept) return undefined;
    const key = name.toLowerCase();
    if (!this.headers.has(key)) this.headers.set(key, headerOf(this.kept.head, key));
    return this.headers.get(key);
  }

  bodyText(): string {
    return (this.text ??= this.kept ? this.kept.body.toString('utf8') : '');
  }

  json(): ReturnType<typeof parseJsonBody> {
    return (this.parsed ??= parseJsonBody(this.bodyText()));
  }

  /** Whether the server said the body is JSON (`application/json`, `application/problem+json`, …). */
  isJson(): boolean {
    const type = this.header('content-type');
    return type !== undefined && /[/+]json\b/i.test(type);
  }
}
