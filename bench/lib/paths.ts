import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (bench/lib is two levels down). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const TSX = join(REPO, 'node_modules/.bin/tsx');
export const AUTOCANNON = join(REPO, 'node_modules/.bin/autocannon');
export const OUT = join(REPO, 'bench/out');
export const RESULTS_MD = join(REPO, 'bench/RESULTS.md');
