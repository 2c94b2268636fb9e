/**
 * /__admin/*: control of the mock itself, for tests and demos. Not counted in the stats they report.
 */
import { ProfileError } from '../errors.js';
import { readBody, type Exchange } from '../http.js';
import { parseProfileText } from '../profile.js';

const ADMIN_BODY_BYTES = 1024 * 1024;

/** POST /__admin/profile with a YAML or JSON profile (JSON is YAML, so one parser serves both). */
export function handleSetProfile(ex: Exchange): void {
  readBody(ex, ADMIN_BODY_BYTES, (text) => {
    try {
      const { resolved } = parseProfileText(text, 'request body');
      ex.ctx.applyProfile(resolved);
      ex.json(200, { ok: true, name: resolved.name });
    } catch (error) {
      if (!(error instanceof ProfileError)) throw error;
      ex.json(400, { error: 'invalid_profile', message: error.message, ...(error.field && { field: error.field }) });
    }
  });
}

export function handleStats(ex: Exchange): void {
  ex.json(200, ex.ctx.stats.snapshot());
}

export function handleReset(ex: Exchange): void {
  ex.ctx.stats.reset();
  ex.json(200, { ok: true });
}
