import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { parseScenario } from '../../src/scenario/read.js';
import { parseShard } from '../../src/cli/shard.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const k8s = join(root, 'deploy', 'k8s');
const text = (path: string) => readFileSync(path, 'utf8');

type Obj = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };
type Container = {
  name: string;
  image: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  securityContext?: Record<string, unknown>;
};
type PodJob = Obj & {
  spec: {
    completionMode?: string;
    completions: number;
    parallelism: number;
    backoffLimit: number;
    template: { spec: { restartPolicy: string; securityContext: { runAsNonRoot: boolean }; containers: Container[] } };
  };
};

interface Kustomization {
  resources: string[];
  images: { name: string; newName: string; newTag: string }[];
  configMapGenerator: { name: string; files?: string[]; literals?: string[] }[];
  secretGenerator: { name: string; envs: string[] }[];
  patches: { target: { kind: string; name: string }; patch: string }[];
}

/**
 * What `kubectl apply -k deploy/k8s` applies, built the way kustomize builds it for the fields this
 * kustomization uses (resources, images, generators, JSON patches with replace). The secrets come from the
 * committed example, as a user's secrets.env would.
 */
function build(): Obj[] {
  const kustomization = parse(text(join(k8s, 'kustomization.yaml'))) as Kustomization;
  const objects = kustomization.resources.flatMap((file) => parseAllDocuments(text(join(k8s, file))).map((doc) => doc.toJS() as Obj));
  for (const object of objects) {
    const containers = (object.spec as PodJob['spec'] | undefined)?.template?.spec?.containers ?? [];
    for (const container of containers) {
      const image = kustomization.images.find((i) => i.name === container.image);
      if (image) container.image = `${image.newName}:${image.newTag}`;
    }
  }
  for (const { target, patch } of kustomization.patches) {
    const object = objects.find((o) => o.kind === target.kind && o.metadata.name === target.name)!;
    for (const op of parse(patch) as { op: string; path: string; value: unknown }[]) {
      expect(op.op).toBe('replace');
      const keys = op.path.split('/').slice(1);
      let node = object as Record<string, unknown>;
      for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
      expect(node[keys.at(-1)!], `${op.path} exists before it is replaced`).toBeDefined();
      node[keys.at(-1)!] = op.value;
    }
  }
  for (const generator of kustomization.configMapGenerator) {
    const data: Record<string, string> = {};
    for (const file of generator.files ?? []) data[file] = text(join(k8s, file));
    for (const literal of generator.literals ?? []) {
      const at = literal.indexOf('=');
      data[literal.slice(0, at)] = literal.slice(at + 1);
    }
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  for (const generator of kustomization.secretGenerator) {
    expect(generator.envs).toEqual(['secrets.env']);
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: generator.name },
      stringData: envFile(text(join(k8s, 'secrets.env.example'))),
    });
  }
  return objects;
}

function envFile(content: string): Record<string, string> {
  return Object.fromEntries(
    content
      .split('\n')
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const MODELS: Record<string, { new (data: never): { validate(): void } }> = {
  'batch/v1 Job': Job,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1 Deployment': Deployment,
};

/** $(VAR) as the kubelet expands it in args: from the container's env and envFrom ConfigMaps; unknown ones stay. */
function expand(args: string[], container: Container, objects: Obj[], fieldValues: Record<string, string>): string[] {
  const vars: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as { data: Record<string, string> } | undefined;
    Object.assign(vars, map?.data ?? {});
  }
  for (const env of container.env ?? [])
    vars[env.name] = env.value ?? fieldValues[env.valueFrom?.fieldRef?.fieldPath ?? ''] ?? `$(${env.name})`;
  return args.map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => vars[name] ?? whole));
}

describe('the Kubernetes manifests (deploy/k8s)', () => {
  const objects = build();
  const job = (name: string) => objects.find((o) => o.kind === 'Job' && o.metadata.name === name) as PodJob;
  const params = (objects.find((o) => o.metadata.name === 'tailscope-params') as unknown as { data: Record<string, string> }).data;
  const n = Number(params.GENERATORS);

  it.each(objects.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))('%s is valid against the Kubernetes schema', (_, object) => {
    const model = MODELS[`${object.apiVersion} ${object.kind}`];
    expect(model, `a schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
    expect(() => new model!(object as never).validate()).not.toThrow();
  });

  it('catches a manifest the schema refuses (the validation can fail)', () => {
    const broken = structuredClone(job('tailscope-generators'));
    (broken.spec as unknown as Record<string, unknown>).backoffLimit = 'none';
    expect(() => new Job(broken as never).validate()).toThrow();
  });

  it('runs the generators as an Indexed Job of N pods at once that never retries a lost pod', () => {
    const { spec } = job('tailscope-generators');
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.backoffLimit).toBe(0);
    expect(n).toBeGreaterThan(0);
    // N is written in two places of kustomization.yaml: both must agree.
    expect([spec.parallelism, spec.completions]).toEqual([n, n]);
    expect(spec.template.spec.restartPolicy).toBe('Never');
  });

  it('turns each pod’s completion index into its --shard, and gives the coordinator the same N and run id', () => {
    const generators = job('tailscope-generators').spec.template.spec.containers[0]!;
    const coordinator = job('tailscope-coordinator').spec.template.spec.containers[0]!;
    const index = { "metadata.annotations['batch.kubernetes.io/job-completion-index']": '2' };
    const args = expand(generators.args, generators, objects, index);
    expect(args.slice(0, 2)).toEqual(['run', '/scenario/scenario.yaml']);
    const flag = (list: string[], name: string) => list[list.indexOf(name) + 1];
    expect(parseShard(flag(args, '--shard')!)).toEqual({ index: 2, count: n });
    expect(flag(args, '--nats')).toBe(params.NATS_URL);
    const coordinatorArgs = expand(coordinator.args, coordinator, objects, {});
    expect(coordinatorArgs.slice(0, 2)).toEqual(['coordinate', '/scenario/scenario.yaml']);
    expect(Number(flag(coordinatorArgs, '--generators'))).toBe(n);
    expect(flag(coordinatorArgs, '--run-id')).toBe(flag(args, '--run-id'));
    // Every $(VAR) is defined: an undefined one would reach the CLI as literal text.
    expect([...args, ...coordinatorArgs].join(' ')).not.toMatch(/\$\(/);
  });

  it('runs every container as a non-root user, from the parameterised image, with secrets only from the Secret', () => {
    for (const name of ['tailscope-generators', 'tailscope-coordinator']) {
      const pod = job(name).spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      for (const container of pod.containers) {
        expect(container.image).toBe('registry.example.com/tailscope:0.1.0');
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false });
        expect(container.envFrom?.some((f) => f.secretRef?.name === 'tailscope-secrets')).toBe(true);
      }
    }
    expect(Object.keys(params).filter((key) => /SECRET|TOKEN|PASSWORD/.test(key))).toEqual([]);
  });

  it('ships a scenario that every pod can read, with its secret from the environment', () => {
    const secrets = (objects.find((o) => o.kind === 'Secret') as unknown as { stringData: Record<string, string> }).stringData;
    const scenario = parseScenario(text(join(k8s, 'scenario.yaml')), 'scenario.yaml', { ...params, ...secrets });
    expect(scenario.target.url).toBe(params.TARGET_URL);
    expect(scenario.secretValues).toContain(secrets.CLIENT_SECRET);
  });
});

describe('the Dockerfile', () => {
  const lines = text(join(root, 'Dockerfile'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const finalStage = lines.slice(lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true));

  it('builds the final image on node:20-slim or later', () => {
    const match = /^FROM node:(\d+)(?:\.[\d.]+)?-slim\b/.exec(finalStage[0]!);
    expect(match, finalStage[0]).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(20);
  });

  it('installs production dependencies only in the final image, from the lockfile', () => {
    const runs = finalStage.filter((l) => l.startsWith('RUN '));
    expect(runs.some((l) => /npm ci\b.*--omit=dev/.test(l))).toBe(true);
    expect(runs.some((l) => /npm (install|i)\b/.test(l))).toBe(false);
    expect(finalStage.some((l) => /^COPY\b.*\bnode_modules\b/.test(l))).toBe(false);
  });

  it('runs built JS as a non-root user', () => {
    const user = finalStage.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    // Nothing after the USER line switches back.
    expect(finalStage.indexOf(user!)).toBeGreaterThan(finalStage.map((l) => l.startsWith('RUN ')).lastIndexOf(true));
    expect(finalStage.some((l) => /^COPY --from=\S+ \/app\/dist /.test(l))).toBe(true);
    expect(finalStage.at(-1)).toBe('ENTRYPOINT ["node", "bin/tailscope.js"]');
    expect(lines.some((l) => /^ADD\s+https?:/.test(l))).toBe(false);
  });

  it('keeps local dependencies, builds and secrets out of the build context', () => {
    const ignored = text(join(root, '.dockerignore')).split('\n');
    for (const entry of ['node_modules', 'dist', 'deploy/k8s/secrets.env']) expect(ignored).toContain(entry);
  });
});
