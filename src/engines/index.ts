import { TimedHttpEngine } from './http.js';
import type { Engine, EngineOptions } from './types.js';

export type { Engine, EngineOptions, Outcome, PreparedRequest } from './types.js';

/** The one place that maps an engine name to its implementation. */
export function createEngine(name: 'http', options: EngineOptions): Engine {
  switch (name) {
    case 'http':
      return new TimedHttpEngine(options);
  }
}
