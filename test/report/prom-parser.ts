/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws on anything a
 * Prometheus server, the Pushgateway or node-exporter's textfile collector would reject or misread
 * (bad names, bad escapes, a sample before its TYPE, a family split in two, duplicate series, a summary
 * quantile outside [0, 1], a counter without _total).
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface PromFamily {
  name: string;
  type: string;
  help?: string;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'untyped']);

function parseValue(text: string, line: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function parseSample(text: string, line: number): PromSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text);
  if (!nameMatch) throw new Error(`line ${line}: bad metric name`);
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    while (text[i] !== '}') {
      const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
      if (!labelMatch) throw new Error(`line ${line}: bad label name at ${i}`);
      const labelName = labelMatch[0];
      if (labelName.startsWith('__')) throw new Error(`line ${line}: reserved label ${labelName}`);
      if (labelName in labels) throw new Error(`line ${line}: duplicate label ${labelName}`);
      i += labelName.length;
      if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`line ${line}: expected =" after ${labelName}`);
      i += 2;
      let value = '';
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
        if (c === '"') break;
        if (c === '\\') {
          const next = text[i + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else throw new Error(`line ${line}: bad escape \\${next}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      labels[labelName] = value;
      i++;
      if (text[i] === ',') i++;
      else if (text[i] !== '}') throw new Error(`line ${line}: expected , or } at ${i}`);
    }
    i++;
  }
  if (text[i] !== ' ') throw new Error(`line ${line}: expected one space before the value`);
  const rest = text.slice(i + 1).split(' ');
  if (rest.length > 2 || (rest.length === 2 && !/^-?\d+$/.test(rest[1]!))) throw new Error(`line ${line}: bad value or timestamp`);
  return { name, labels, value: parseValue(rest[0]!, line) };
}

/** The family a sample name belongs to: summaries own name, name_sum and name_count. */
function familyOf(sampleName: string, families: Map<string, PromFamily>): PromFamily | undefined {
  if (families.has(sampleName)) return families.get(sampleName);
  for (const suffix of ['_sum', '_count', '_bucket']) {
    if (sampleName.endsWith(suffix)) {
      const family = families.get(sampleName.slice(0, -suffix.length));
      if (family && (family.type === 'summary' || family.type === 'histogram')) return family;
    }
  }
  return undefined;
}

export function parsePrometheusText(text: string): PromFamily[] {
  if (!text.endsWith('\n')) throw new Error('the last line must end with a line feed');
  const families = new Map<string, PromFamily>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: PromFamily | undefined;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') throw new Error(`line ${line}: empty line`);
    if (raw.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!match) return; // any other comment is allowed
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      if (closed.has(name)) throw new Error(`line ${line}: family ${name} split in two`);
      let family = families.get(name);
      if (!family) {
        if (current) closed.add(current.name);
        family = { name, type: 'untyped', samples: [] };
        families.set(name, family);
        current = family;
      }
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`line ${line}: bad escape in HELP`);
        family.help = rest;
      } else {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: unknown type ${rest}`);
        if (family.samples.length > 0) throw new Error(`line ${line}: TYPE after samples of ${name}`);
        if (family.type !== 'untyped') throw new Error(`line ${line}: second TYPE for ${name}`);
        family.type = rest;
      }
      return;
    }
    const sample = parseSample(raw, line);
    const family = familyOf(sample.name, families);
    if (!family) throw new Error(`line ${line}: sample ${sample.name} has no TYPE before it`);
    if (family !== current) throw new Error(`line ${line}: sample of ${family.name} outside its family's block`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`line ${line}: duplicate series ${key}`);
    seen.add(key);
    if (family.type === 'counter') {
      if (!sample.name.endsWith('_total')) throw new Error(`line ${line}: counter ${sample.name} does not end in _total`);
      if (!(sample.value >= 0)) throw new Error(`line ${line}: negative counter`);
    }
    if (family.type === 'summary' && sample.name === family.name) {
      const q = Number(sample.labels.quantile);
      if (sample.labels.quantile === undefined || !(q >= 0 && q <= 1))
        throw new Error(`line ${line}: summary sample without a quantile in [0, 1]`);
    }
    family.samples.push(sample);
  });
  return [...families.values()];
}
