import type { Argv } from 'yargs';
import type { Io } from './io.js';
import { UsageError } from './exit-codes.js';
import type { BusOptions } from '../fleet/bus.js';
import { checkRunId } from '../fleet/messages.js';
import { slug } from '../shared/format.js';

/** The broker flags `run --nats` and `coordinate` share. Passwords and tokens come from the environment, not argv. */
export interface NatsArgs {
  nats?: string;
  natsCreds?: string;
  natsUser?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
  runId?: string;
}

export const NATS_PASSWORD_ENV = 'TAILSCOPE_NATS_PASSWORD';
export const NATS_TOKEN_ENV = 'TAILSCOPE_NATS_TOKEN';

export function natsOptions<T>(y: Argv<T>) {
  return y
    .option('nats', { type: 'string', describe: 'NATS broker URL (nats://host:4222; tls://… for TLS) of a live multi-machine run' })
    .option('nats-creds', { type: 'string', describe: 'NATS credentials file (JWT and NKey seed)' })
    .option('nats-user', {
      type: 'string',
      describe: `NATS user; the password is read from $${NATS_PASSWORD_ENV} (a token from $${NATS_TOKEN_ENV})`,
    })
    .option('nats-ca', { type: 'string', describe: "PEM file of the CA that signed the broker's certificate" })
    .option('nats-cert', { type: 'string', describe: 'PEM client certificate, for brokers that verify clients' })
    .option('nats-key', { type: 'string', describe: 'PEM key of --nats-cert' })
    .option('run-id', {
      type: 'string',
      describe: 'names this run on the broker; the coordinator and every generator must agree (default: the scenario name)',
    });
}

export async function busOptionsOf(args: NatsArgs, io: Io, name: string): Promise<BusOptions> {
  const tlsFiles = { caFile: args.natsCa, certFile: args.natsCert, keyFile: args.natsKey };
  if (Boolean(args.natsCert) !== Boolean(args.natsKey)) throw new UsageError('--nats-cert and --nats-key go together');
  const password = io.env[NATS_PASSWORD_ENV];
  const token = io.env[NATS_TOKEN_ENV];
  return {
    url: args.nats!,
    name,
    ...(args.natsCreds ? { creds: await io.readFile(args.natsCreds) } : {}),
    ...(args.natsUser ? { user: args.natsUser, ...(password ? { password } : {}) } : {}),
    ...(token ? { token } : {}),
    ...(args.natsCa || args.natsCert ? { tls: Object.fromEntries(Object.entries(tlsFiles).filter(([, v]) => v !== undefined)) } : {}),
  };
}

/** The run id, checked: it becomes part of subjects and of a stream name. */
export function runIdOf(args: NatsArgs, scenarioName: string): string {
  const runId = args.runId ?? slug(scenarioName).replace(/[^A-Za-z0-9_-]/g, '-');
  const problem = checkRunId(runId);
  if (problem) throw new UsageError(`--run-id: ${problem}`);
  return runId;
}
