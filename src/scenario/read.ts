import type { z } from 'zod';
import { DEFAULTS, LIMITS } from './defaults.js';
import { closedStageShapes, openStageShapes, scenarioSchema, type ClosedStageInput, type OpenStageInput } from './schema.js';
import { crossFieldProblems, loadCap, loadCapProblems } from './cross-checks.js';
import { collectSecrets } from './secrets.js';
import { ScenarioError } from './errors.js';
import { formatPath, locateProblems, readLocatedYaml, zodProblems, type FieldPath } from '../shared/located-yaml.js';
import { substituteEnv } from './env.js';
import { redactScenario, redactUrl, Redactor } from './redact.js';
import { applyOverrides, describeOverrides, type ScenarioOverrides } from './overrides.js';
import { coerceSubstituted, reportedBy } from './coerce.js';
import { compileStages, StageSequenceError } from './compile.js';
import type { Scenario } from './types.js';
import type { Segment, SearchSettings } from '../load/types.js';

type Path = FieldPath;
interface Problem {
  path: Path;
  message: string;
}

export type { ScenarioOverrides } from './overrides.js';

/**
 * Parses scenario text (YAML, or JSON which YAML reads too) into a trusted Scenario.
 * Every problem is reported at once, each with file, line, column and field path.
 */
export function parseScenario(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  overrides: ScenarioOverrides = {},
): Scenario {
  const yaml = readLocatedYaml(text, (problems) => new ScenarioError(file, problems), {
    syntax: /\.json$/i.test(file) ? 'JSON' : 'YAML',
    maxBytes: LIMITS.maxScenarioBytes,
  });
  const locate = yaml.locate;
  const raw = yaml.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(file, [{ line: 1, field: '', message: 'a scenario is a mapping with name, target, requests and load' }]);
  }

  // Overrides land in the document as if written in the file, then everything is checked as usual.
  const written = overrides.target !== undefined || overrides.set?.length ? applyOverrides(raw as Record<string, unknown>, overrides) : raw;
  const mergedEnv = overrides.env ? { ...env, ...overrides.env } : env;
  const { value: substituted, missing } = substituteEnv(written, mergedEnv);
  const problems: Problem[] = missing.map((m) => ({ path: m.path, message: `environment variable ${m.name} is not set` }));

  const coerced = coerceSubstituted(substituted, written, (value) => scenarioSchema.safeParse(value));
  const resolved = coerced.value;
  problems.push(...coerced.problems);
  const parsed = scenarioSchema.safeParse(resolved);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, []).filter((p) => !reportedBy(coerced.problems)(p.path)));

  // Load stages are checked one by one against the shape their leading key names, so a typo
  // in a ramp reports the ramp's fields rather than a union of every shape.
  const load = (resolved as { load?: { closed?: unknown; open?: unknown; search?: { model?: unknown } } }).load;
  const searching = Boolean(
    load && typeof load === 'object' && load.search !== undefined && load.closed === undefined && load.open === undefined,
  );
  const model =
    load &&
    typeof load === 'object' &&
    (searching ? load.search?.model === 'open' || load.search?.model === undefined : load.open !== undefined)
      ? 'open'
      : 'closed';
  const rawStages = load && typeof load === 'object' && !searching ? (model === 'open' ? load.open : load.closed) : undefined;
  const stages: z.output<(typeof closedStageShapes)[keyof typeof closedStageShapes]>[] = [];
  // Stages by index (undefined where a stage is malformed), so load caps point at the right one.
  const stageList: (ClosedStageInput | OpenStageInput | undefined)[] = [];
  if (Array.isArray(rawStages)) {
    const shapes = model === 'open' ? openStageShapes : closedStageShapes;
    rawStages.forEach((stage, index) => {
      const stagePath: Path = ['load', model, index];
      const kind =
        stage && typeof stage === 'object' ? (Object.keys(shapes) as (keyof typeof shapes)[]).find((k) => k in stage) : undefined;
      if (!kind) {
        problems.push({ path: stagePath, message: 'a stage starts with one of hold, ramp, steps or spike' });
        return;
      }
      const stageCoerced = coerceSubstituted(stage, getIn(written, stagePath), (value) => shapes[kind].safeParse(value));
      problems.push(...stageCoerced.problems.map((p) => ({ path: [...stagePath, ...p.path], message: p.message })));
      const result = shapes[kind].safeParse(stageCoerced.value);
      if (result.success) {
        stages.push(result.data);
        stageList[index] = result.data;
      } else {
        const reported = reportedBy(stageCoerced.problems);
        problems.push(
          ...zodProblems(result.error, [])
            .filter((p) => !reported(p.path))
            .map((p) => ({ path: [...stagePath, ...p.path], message: p.message })),
        );
      }
    });
  }

  if (parsed.success && parsed.data.engine === 'autocannon') problems.push(...autocannonProblems(parsed.data, model));
  if (parsed.success) {
    problems.push(...crossFieldProblems(parsed.data));
    if (parsed.data.load.search)
      problems.push(...searchProblems(parsed.data, overrides.workers ?? parsed.data.workers ?? DEFAULTS.workers));
    const workers = overrides.workers ?? parsed.data.workers ?? DEFAULTS.workers;
    problems.push(
      ...loadCapProblems(model, stageList, workers, { maxInFlight: parsed.data.load.maxInFlight, poolSize: parsed.data.client.poolSize }),
    );
  }

  if (problems.length > 0 || !parsed.success) {
    throw new ScenarioError(
      file,
      locateProblems(
        yaml,
        problems.map((p) => ({ ...p, message: p.message + overrideNote(p.path, overrides) })),
      ),
    );
  }

  let segments: Segment[] = [];
  try {
    if (!searching) segments = compileStages(stages, model);
  } catch (error) {
    if (error instanceof StageSequenceError) {
      const path: Path = ['load', model, error.stageIndex];
      throw new ScenarioError(file, [{ ...locate(path), field: formatPath([...path, error.field]), message: error.message }]);
    }
    throw error;
  }
  const scenario = parsed.data;
  const durationMs = segments.at(-1)?.endMs ?? 0;
  const search = scenario.load.search;
  if (durationMs <= 0 && !search) {
    throw new ScenarioError(file, [{ ...locate(['load']), field: 'load', message: 'the load curve lasts no time' }]);
  }
  const secretValues = collectSecrets(written, resolved, mergedEnv, scenario.secretEnv);
  const overrideList = describeOverrides(overrides, scenario.secretEnv);
  const { load: _load, interval, warmup, ...rest } = scenario;
  void _load;
  return {
    ...rest,
    requests: rest.requests ?? [],
    flows: rest.flows ?? [],
    workers: overrides.workers ?? rest.workers ?? DEFAULTS.workers,
    file,
    locate,
    intervalMs: interval,
    // A search's length is not known ahead; its probes are short, so it warms up as short runs do.
    warmupMs: warmup ?? (search || durationMs < DEFAULTS.warmupDefaultBelowMs ? DEFAULTS.warmupMs : 0),
    load: {
      model,
      segments,
      durationMs,
      arrivals: scenario.load.arrivals,
      maxInFlight: scenario.load.maxInFlight ?? DEFAULTS.maxInFlight,
      ...(search ? { search: searchSettings(search) } : {}),
    },
    secretValues,
    // By key name first (a secret written into the file itself), then by value (a password inside any URL).
    redacted: new Redactor(secretValues).scrubJson(redactScenario(written)),
    ...(overrideList.length > 0 ? { overrides: new Redactor(secretValues).scrubJson(overrideList) } : {}),
  };
}

type SearchInput = NonNullable<z.output<typeof scenarioSchema>['load']['search']>;

/** load.search with its settle worked out: a quarter of the hold, at most DEFAULTS.searchSettleMaxMs. */
function searchSettings(search: SearchInput): SearchSettings {
  return {
    from: search.from,
    to: search.to,
    holdMs: search.hold,
    settleMs: Math.min(DEFAULTS.searchSettleMaxMs, search.hold / 4),
    precision: search.precision,
    sweep: search.sweep,
  };
}

/**
 * What a search needs besides its own fields: an SLO to search against (a search without one has no question to
 * answer), a range that goes up, whole users in a closed model, an engine that paces arrivals, and a top load
 * the workers can send.
 */
function searchProblems(scenario: z.output<typeof scenarioSchema>, workers: number): Problem[] {
  const search = scenario.load.search!;
  const at: Path = ['load', 'search'];
  const problems: Problem[] = [];
  const slo = scenario.slo;
  if (!slo || (slo.p99 === undefined && slo.errorRate === undefined)) {
    problems.push({
      path: slo ? ['slo'] : at,
      message: 'a search looks for the highest load that keeps the SLO: give slo: { p99: 500ms, errorRate: 1% } (p99, errorRate or both)',
    });
  }
  if (search.from > search.to) problems.push({ path: [...at, 'from'], message: `from (${search.from}) is above to (${search.to})` });
  if (search.model === 'closed') {
    if (!Number.isInteger(search.from)) problems.push({ path: [...at, 'from'], message: 'a closed-model search counts whole users' });
    if (!Number.isInteger(search.to)) problems.push({ path: [...at, 'to'], message: 'a closed-model search counts whole users' });
  }
  if (scenario.engine === 'autocannon') {
    problems.push({ path: ['engine'], message: 'a search changes its load probe by probe: use engine: wire (or node)' });
  }
  const { max } = loadCap(search.model, workers);
  if (search.to > max) {
    problems.push({
      path: [...at, 'to'],
      message: `${search.to} is more than ${workers} worker${workers === 1 ? '' : 's'} can drive: at most ${max}; add workers (up to 64)`,
    });
  }
  return problems;
}

/** Where a problem's field came from the command line, it says so: the file's line alone would mislead. */
function overrideNote(path: Path, overrides: ScenarioOverrides): string {
  const from = [...(overrides.set ?? [])]
    .reverse()
    .find((set) => set.path.every((key, i) => path[i] === key) || path.every((key, i) => set.path[i] === key));
  if (from && path.length > 0) return ` (set by --set ${from.text})`;
  if (overrides.target !== undefined && path[0] === 'target') return ` (set by --target ${redactUrl(overrides.target)})`;
  return '';
}

function getIn(value: unknown, path: Path): unknown {
  let node = value;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

/**
 * autocannon sends one pre-encoded request per connection in a loop: it cannot template bodies, pick by
 * weight, stream, or pace arrivals, so a scenario that needs those is refused rather than run wrongly.
 */
function autocannonProblems(scenario: z.output<typeof scenarioSchema>, model: 'open' | 'closed'): Problem[] {
  const problems: Problem[] = [];
  if (model === 'open')
    problems.push({ path: ['engine'], message: 'the autocannon engine drives fixed concurrency; use engine: wire for an open model' });
  const requests = scenario.requests ?? [];
  if (scenario.flows !== undefined)
    problems.push({ path: ['flows'], message: 'the autocannon engine sends one request in a loop: flows need engine: wire or node' });
  else if (requests.length !== 1)
    problems.push({ path: ['engine'], message: 'the autocannon engine sends one request; this scenario has several' });
  requests.forEach((request, index) => {
    for (const field of ['capture', 'think', 'poll', 'callback'] as const) {
      if (request[field] !== undefined)
        problems.push({ path: ['requests', index, field], message: `the autocannon engine cannot ${field}: use engine: wire or node` });
    }
    if (request.stream !== 'none')
      problems.push({ path: ['requests', index, 'stream'], message: 'the autocannon engine does not read streams' });
    // autocannon hands over a status and a byte count per response, never the body or headers, and its point is
    // the last bit of throughput: checks or usage would need both, so they are refused rather than skipped.
    if (request.checks?.length)
      problems.push({
        path: ['requests', index, 'checks'],
        message: 'the autocannon engine does not see response bodies or headers, so it cannot run checks: use engine: wire',
      });
    if (request.usage)
      problems.push({
        path: ['requests', index, 'usage'],
        message: 'the autocannon engine does not see response bodies, so it cannot read usage: use engine: wire',
      });
    if (JSON.stringify([request.path, request.json ?? null, request.body ?? null, request.headers, request.query ?? null]).includes('{{')) {
      problems.push({
        path: ['requests', index],
        message: 'the autocannon engine sends the same bytes every time: remove the {{ }} templates',
      });
    }
  });
  return problems;
}
