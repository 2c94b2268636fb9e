import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { closedStageShapes, openStageShapes, scenarioSchema } from './schema.js';
import { ScenarioError } from './errors.js';
import { substituteEnv } from './env.js';
import { redactScenario } from './redact.js';
import { compileStages, StageSequenceError } from './compile.js';
import type { Scenario } from './types.js';

type Path = (string | number)[];
interface Problem { path: Path; message: string }

/**
 * Parses scenario text (YAML, or JSON which YAML reads too) into a trusted Scenario.
 * Every problem is reported at once, each with file, line, column and field path.
 */
export function parseScenario(text: string, file: string, env: Readonly<Record<string, string | undefined>>): Scenario {
  const lineCounter = new LineCounter();
  // maxAliasCount bounds alias expansion, so a "billion laughs" file is refused instead of eating memory.
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const locate = locator(document, lineCounter);

  if (document.errors.length > 0) {
    throw new ScenarioError(file, document.errors.map((error) => {
      const position = error.linePos?.[0];
      return { line: position?.line, column: position?.col, field: '', message: `invalid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
    }));
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ScenarioError(file, [{ field: '', message: `invalid YAML: ${(error as Error).message}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(file, [{ line: 1, field: '', message: 'a scenario is a mapping with name, target, requests and load' }]);
  }

  const { value: resolved, missing } = substituteEnv(raw, env);
  const problems: Problem[] = missing.map((m) => ({ path: m.path, message: `environment variable ${m.name} is not set` }));

  const parsed = scenarioSchema.safeParse(resolved);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, []));

  // Load stages are checked one by one against the shape their leading key names, so a typo
  // in a ramp reports the ramp's fields rather than a union of every shape.
  const load = (resolved as { load?: { closed?: unknown; open?: unknown } }).load;
  const model = load && typeof load === 'object' && 'open' in load && load.open !== undefined ? 'open' : 'closed';
  const rawStages = load && typeof load === 'object' ? (model === 'open' ? load.open : load.closed) : undefined;
  const stages: z.output<(typeof closedStageShapes)[keyof typeof closedStageShapes]>[] = [];
  if (Array.isArray(rawStages)) {
    const shapes = model === 'open' ? openStageShapes : closedStageShapes;
    rawStages.forEach((stage, index) => {
      const stagePath: Path = ['load', model, index];
      const kind = stage && typeof stage === 'object' ? (Object.keys(shapes) as (keyof typeof shapes)[]).find((k) => k in stage) : undefined;
      if (!kind) {
        problems.push({ path: stagePath, message: 'a stage starts with one of hold, ramp, steps or spike' });
        return;
      }
      const result = shapes[kind].safeParse(stage);
      if (result.success) stages.push(result.data);
      else problems.push(...zodProblems(result.error, stagePath));
    });
  }

  if (parsed.success && parsed.data.engine === 'autocannon') problems.push(...autocannonProblems(parsed.data, model));

  if (problems.length > 0 || !parsed.success) {
    throw new ScenarioError(file, problems.map((p) => ({ ...locate(p.path), field: formatPath(p.path), message: p.message })));
  }

  let segments;
  try {
    segments = compileStages(stages, model);
  } catch (error) {
    if (error instanceof StageSequenceError) {
      const path: Path = ['load', model, error.stageIndex];
      throw new ScenarioError(file, [{ ...locate(path), field: formatPath([...path, error.field]), message: error.message }]);
    }
    throw error;
  }
  const scenario = parsed.data;
  const durationMs = segments.at(-1)?.endMs ?? 0;
  if (durationMs <= 0) {
    throw new ScenarioError(file, [{ ...locate(['load']), field: 'load', message: 'the load curve lasts no time' }]);
  }
  const { load: _load, interval, ...rest } = scenario;
  void _load;
  return {
    ...rest,
    file,
    intervalMs: interval,
    load: { model, segments, durationMs, arrivals: scenario.load.arrivals, maxInFlight: scenario.load.maxInFlight },
    redacted: redactScenario(raw),
  };
}

/**
 * autocannon sends one pre-encoded request per connection in a loop: it cannot template bodies, pick by
 * weight, stream, or pace arrivals, so a scenario that needs those is refused rather than run wrongly.
 */
function autocannonProblems(scenario: z.output<typeof scenarioSchema>, model: 'open' | 'closed'): Problem[] {
  const problems: Problem[] = [];
  if (model === 'open') problems.push({ path: ['engine'], message: 'the autocannon engine drives fixed concurrency; use engine: wire for an open model' });
  if (scenario.requests.length !== 1) problems.push({ path: ['engine'], message: 'the autocannon engine sends one request; this scenario has several' });
  scenario.requests.forEach((request, index) => {
    if (request.stream !== 'none') problems.push({ path: ['requests', index, 'stream'], message: 'the autocannon engine does not read streams' });
    if (JSON.stringify([request.path, request.json ?? null, request.body ?? null]).includes('{{')) {
      problems.push({ path: ['requests', index], message: 'the autocannon engine sends the same bytes every time: remove the {{ }} templates' });
    }
  });
  return problems;
}

/** `load.closed[1].ramp`: the spelling a user would search their file for. */
export function formatPath(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function zodProblems(error: z.ZodError, prefix: Path): Problem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as Path)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"` }));
    }
    return [{ path, message: issue.message }];
  }).flat();
}

/** Maps a field path to the line and column of its node in the source, walking up to the nearest that exists. */
function locator(document: Document, lineCounter: LineCounter) {
  return (path: Path): { line?: number; column?: number } => {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const node = prefix.length === 0 ? document.contents : document.getIn(prefix, true);
      // Point an unknown key at the key itself, not its value.
      const keyNode = depth === path.length && depth > 0 ? findKeyNode(document, prefix) : undefined;
      const target = keyNode ?? node;
      if (isNode(target) && target.range) {
        const { line, col } = lineCounter.linePos(target.range[0]);
        return { line, column: col };
      }
    }
    return {};
  };
}

function findKeyNode(document: Document, path: Path): unknown {
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  const key = path[path.length - 1];
  if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray((parent as { items: unknown[] }).items)) {
    for (const item of (parent as { items: unknown[] }).items) {
      if (item && typeof item === 'object' && 'key' in item) {
        const keyNode = (item).key;
        if (isNode(keyNode) && 'value' in keyNode && (keyNode as { value: unknown }).value === key) return keyNode;
      }
    }
  }
  return undefined;
}
