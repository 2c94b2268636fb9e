import { TimedHttpEngine } from './http.js';
import { WebSocketEngine } from './ws.js';
import type { Engine, EngineOptions, Outcome, PreparedRequest } from './types.js';

export type { Engine, EngineOptions, Outcome, PreparedRequest } from './types.js';

/**
 * Sends each request with the engine its transport needs: WebSocket streams over `ws`, everything else
 * (plain and SSE) over the phase-timed HTTP client. Engines are created on first use.
 */
class TransportRouter implements Engine {
  readonly name: string;
  private http: Engine | undefined;
  private ws: Engine | undefined;

  constructor(private readonly options: EngineOptions) {
    this.name = 'http';
  }

  send(request: PreparedRequest): Promise<Outcome> {
    if (request.stream === 'ws') return (this.ws ??= new WebSocketEngine(this.options)).send(request);
    return (this.http ??= new TimedHttpEngine(this.options)).send(request);
  }

  async close(): Promise<void> {
    await Promise.all([this.http?.close(), this.ws?.close()]);
  }
}

/** The one place that maps an engine name to its implementation. */
export function createEngine(name: 'http', options: EngineOptions): Engine {
  switch (name) {
    case 'http':
      return new TransportRouter(options);
  }
}
