import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Scenario } from '../scenario/types.js';
import { scenarioProblem } from '../scenario/errors.js';
import { tlsConnectionOptions, type TlsSettings } from '../engines/tls.js';

/**
 * Reads `client.tls`'s PEM files (relative to the scenario file) before anything starts, and builds a secure
 * context from them once, so a missing file, a file that is not PEM, or a key that does not match its
 * certificate is an error at the scenario's line rather than every request failing.
 */
export async function loadTlsSettings(scenario: Scenario): Promise<TlsSettings | undefined> {
  const tls = scenario.client.tls;
  if (tls === undefined) return undefined;
  const base = scenario.file ? dirname(scenario.file) : process.cwd();
  const read = async (field: 'ca' | 'cert' | 'key'): Promise<string | undefined> => {
    const name = tls[field];
    if (name === undefined) return undefined;
    const path = isAbsolute(name) ? name : resolve(base, name);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES') throw error;
      throw scenarioProblem(scenario, ['client', 'tls', field], `cannot read ${path} (${code})`);
    }
  };
  const settings: TlsSettings = {
    ca: await read('ca'),
    cert: await read('cert'),
    key: await read('key'),
    insecure: tls.insecure,
    servername: tls.servername,
  };
  try {
    tlsConnectionOptions(settings);
  } catch (error) {
    // OpenSSL names the problem, not the file: point at the field whose file it read last.
    const field = settings.cert !== undefined ? 'cert' : 'ca';
    throw scenarioProblem(
      scenario,
      ['client', 'tls', field],
      `not a usable PEM ${field === 'ca' ? 'certificate' : 'certificate and key'}: ${(error as Error).message}`,
    );
  }
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as unknown as TlsSettings;
}
