import { TimedHttpEngine } from './http.js';
import { WireEngine } from './wire/engine.js';
import { WebSocketEngine } from './ws.js';
import { driveFixedLoad, loadAutocannon } from './autocannon.js';
import type { Engine, EngineOptions, FixedLoadHooks, FixedLoadStretch, Outcome, PreparedRequest, StopSignal } from './types.js';

export type { Engine, EngineOptions, FixedLoadHooks, FixedLoadStretch, Outcome, PreparedRequest, StopSignal } from './types.js';

/** The HTTP clients a scenario can pick for plain and SSE requests (WebSocket streams always go over `ws`). */
export type HttpEngineName = 'wire' | 'node';
/** The engines a scenario can pick: an HTTP client, or autocannon for stretches of fixed concurrency. */
export type EngineName = HttpEngineName | 'autocannon';

/**
 * Sends each request with the engine its transport needs: WebSocket streams over `ws`, everything else
 * (plain and SSE) over the chosen HTTP client. The WebSocket engine is created on first use.
 */
class TransportRouter implements Engine {
  readonly name: string;
  private readonly http: Engine;
  private ws: Engine | undefined;
  readonly driveFixedLoad?: (stretch: FixedLoadStretch, hooks: FixedLoadHooks, stop: StopSignal) => Promise<void>;

  constructor(
    httpEngine: HttpEngineName,
    private readonly options: EngineOptions,
    fixedLoad?: 'autocannon',
  ) {
    this.http = httpEngine === 'wire' ? new WireEngine(options) : new TimedHttpEngine(options);
    this.name = this.http.name;
    if (fixedLoad === 'autocannon') {
      const { baseUrl, serverTiming } = options;
      this.driveFixedLoad = (stretch, hooks, stop) =>
        driveFixedLoad(
          { ...stretch, baseUrl, timeoutMs: options.timeouts.totalMs, serverTiming, ...(options.tls ? { tls: options.tls } : {}) },
          hooks,
          stop,
        );
    }
  }

  send(request: PreparedRequest, authorization?: string): Promise<Outcome> {
    if (request.stream === 'ws') return (this.ws ??= new WebSocketEngine(this.options)).send(request, authorization);
    return this.http.send(request, authorization);
  }

  /**
   * autocannon is loaded before time zero, as it was when every load thread imported it at start: loaded during
   * the run instead (in the ramp before a hold), the hold's p99 read 27–50 ms on the
   * fixed 20 ms mock under a CPU hog, against 27–34 ms.
   */
  async prepare(): Promise<void> {
    if (this.driveFixedLoad) await loadAutocannon();
  }

  warmUp(connections: number): Promise<void> {
    return this.http.warmUp?.(connections) ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.ws?.close()]);
  }
}

/**
 * The one place that maps an engine name to its implementation. autocannon drives the stretches of fixed
 * concurrency; the wire client sends everything else (ramps, warm-up).
 */
export function createEngine(name: EngineName, options: EngineOptions): Engine {
  return name === 'autocannon' ? new TransportRouter('wire', options, 'autocannon') : new TransportRouter(name, options);
}
