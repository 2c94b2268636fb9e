import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { TailscopeError } from '../../shared/errors.js';
import { checkDraft, draftFromHar, draftFromOpenApi, HarError, renderDraft, STARTER_SCENARIO } from '../../scenario/init/index.js';

interface InitArgs {
  file: string;
  fromOpenapi?: string;
  fromHar?: string;
  force: boolean;
}

/** An OpenAPI document that does not validate or cannot be read. */
export class OpenApiError extends TailscopeError {
  readonly code = 'E_OPENAPI';
}

/** `tailscope init`: a starter scenario, or one drafted from an OpenAPI document or a HAR recording. */
export const initCommand = {
  command: 'init [file]',
  describe: 'write a commented starter scenario, or draft one from an OpenAPI 3 document or a HAR recording',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', default: 'scenario.yaml', describe: 'the scenario file to write' })
      .option('from-openapi', { type: 'string', describe: 'draft from this OpenAPI 3 document (YAML or JSON): one request per operation' })
      .option('from-har', { type: 'string', describe: 'draft from this HAR recording: its requests in order, secrets as ${VARIABLES}' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite the file if it exists' })
      .conflicts('from-openapi', 'from-har')
      .example('tailscope init', 'a scenario against the bundled mock, every section explained')
      .example('tailscope init api.yaml --from-openapi openapi.yaml', 'one request per operation, auth from its security schemes')
      .example('tailscope init flow.yaml --from-har recording.har', 'what a browser recorded, cookies and tokens as variables'),
  handler: async (args: InitArgs, io: Io): Promise<number> => {
    const file = resolve(io.cwd, args.file);
    if (!args.force && (await exists(io, file))) throw new UsageError(`${args.file} exists: pass --force to overwrite it`);
    let text: string;
    if (args.fromOpenapi !== undefined)
      text = renderDraft(draftFromOpenApi(await readOpenApi(resolve(io.cwd, args.fromOpenapi)), args.fromOpenapi));
    else if (args.fromHar !== undefined)
      text = renderDraft(draftFromHar(parseHar(await io.readFile(resolve(io.cwd, args.fromHar))), args.fromHar));
    else text = STARTER_SCENARIO;
    checkDraft(text, args.file);
    await io.writeFile(file, text);
    io.stdout(`wrote ${args.file}\n`);
    const variables = [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))];
    if (variables.length > 0) io.stdout(`set ${variables.join(', ')} (or pass -e NAME=value), then: tailscope run ${args.file}\n`);
    else io.stdout(`next: tailscope run ${args.file}\n`);
    return EXIT.ok;
  },
};

async function exists(io: Io, file: string): Promise<boolean> {
  try {
    await io.readFile(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Validated against the OpenAPI schemas first (its errors are the clearest), then every $ref resolved. */
async function readOpenApi(path: string): Promise<Record<string, unknown>> {
  // The parser and its schemas take ~0.2 s to load: only `init --from` an OpenAPI document pays for them.
  const { dereference, validate, compileErrors } = await import('@readme/openapi-parser');
  let result;
  try {
    result = await validate(path);
  } catch (error) {
    throw new OpenApiError(`${path}: ${(error as Error).message}`);
  }
  if (!result.valid) throw new OpenApiError(`${path} is not a valid OpenAPI document:\n${compileErrors(result)}`);
  const doc = (await dereference(path)) as unknown as Record<string, unknown>;
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.')) {
    throw new OpenApiError(
      `${path}: only OpenAPI 3.x is drafted from (this is ${typeof doc.swagger === 'string' ? `Swagger ${doc.swagger}` : 'another format'})`,
    );
  }
  return doc;
}

function parseHar(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HarError(`not a HAR file (HAR is JSON): ${(error as Error).message}`);
  }
}
