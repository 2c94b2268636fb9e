import { TimedHttpEngine } from './http.js';
import { WireEngine } from './wire/engine.js';
import { WebSocketEngine } from './ws.js';
import type { Engine, EngineOptions, Outcome, PreparedRequest } from './types.js';

export type { Engine, EngineOptions, Outcome, PreparedRequest } from './types.js';

/** The HTTP clients a scenario can pick for plain and SSE requests (WebSocket streams always go over `ws`). */
export type HttpEngineName = 'wire' | 'node';

/**
 * Sends each request with the engine its transport needs: WebSocket streams over `ws`, everything else
 * (plain and SSE) over the chosen HTTP client. The WebSocket engine is created on first use.
 */
class TransportRouter implements Engine {
  readonly name: string;
  private readonly http: Engine;
  private ws: Engine | undefined;

  constructor(httpEngine: HttpEngineName, private readonly options: EngineOptions) {
    this.http = httpEngine === 'wire' ? new WireEngine(options) : new TimedHttpEngine(options);
    this.name = this.http.name;
  }

  send(request: PreparedRequest, authorization?: string): Promise<Outcome> {
    if (request.stream === 'ws') return (this.ws ??= new WebSocketEngine(this.options)).send(request, authorization);
    return this.http.send(request, authorization);
  }

  warmUp(connections: number): Promise<void> {
    return this.http.warmUp?.(connections) ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.ws?.close()]);
  }
}

/** The one place that maps an engine name to its implementation. */
export function createEngine(name: HttpEngineName, options: EngineOptions): Engine {
  return new TransportRouter(name, options);
}
