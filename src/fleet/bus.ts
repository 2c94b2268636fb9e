import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { TailscopeError } from '../shared/errors.js';
import { streamName, subjects } from './messages.js';

export class BusError extends TailscopeError {
  readonly code = 'E_BUS';
}

/**
 * How to reach the broker. Credentials come from a NATS credentials file, or a user whose password (or a
 * token) the CLI reads from the environment, never from argv; TLS from PEM files. None of it is ever published.
 */
export interface BusOptions {
  url: string;
  /** shown in the broker's connection list */
  name: string;
  /** contents of a .creds file (JWT + NKey seed) */
  creds?: string;
  user?: string;
  password?: string;
  token?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  /** the broker's largest message, bytes */
  maxPayloadBytes: number;
  /** whether the connection is up right now (the client reconnects on its own) */
  connected(): boolean;
  /** called with true on reconnect, false on disconnect */
  onConnection(listener: (up: boolean) => void): void;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const decodeJson = <T>(data: Uint8Array): T => JSON.parse(decoder.decode(data)) as T;

/** Connects and keeps reconnecting forever: a broker restart is an outage to ride out, not the end of a run. */
export async function connectBus(options: BusOptions): Promise<Bus> {
  // Loaded here, not with the module: every CLI command imports this file, few runs use a broker.
  const [{ connect, credsAuthenticator }, { jetstream }] = await Promise.all([
    import('@nats-io/transport-node'),
    import('@nats-io/jetstream'),
  ]);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url,
      name: options.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 1_000,
      maxPingOut: 3,
      ...(options.creds ? { authenticator: credsAuthenticator(encoder.encode(options.creds)) } : {}),
      ...(options.user ? { user: options.user, pass: options.password } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
  } catch (error) {
    throw new BusError(`cannot connect to the NATS broker at ${options.url}: ${(error as Error).message}`);
  }
  let up = true;
  const listeners: ((up: boolean) => void)[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      const next: boolean = status.type === 'reconnect' ? true : status.type === 'disconnect' ? false : up;
      if (next !== up) {
        up = next;
        for (const listener of listeners) listener(up);
      }
    }
  })();
  return {
    nc,
    js: jetstream(nc),
    maxPayloadBytes: nc.info?.max_payload ?? 1024 * 1024,
    connected: () => up,
    onConnection: (listener) => void listeners.push(listener),
    close: async () => {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}

/** How long the broker remembers a message id to drop its duplicates: longer than any retry of ours. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

/** A fresh stream for the run's snapshots and results, on disk so that a broker restart loses nothing. */
export async function createRunStream(bus: Bus, runId: string): Promise<string> {
  const { AckPolicy, DeliverPolicy, jetstreamManager, StorageType } = await import('@nats-io/jetstream');
  const jsm = await jetstreamManager(bus.nc);
  const name = streamName(runId);
  // A stream left by an earlier run of the same id would replay its snapshots into this one.
  await jsm.streams.delete(name).catch(() => false);
  await jsm.streams.add({
    name,
    subjects: subjects(runId).stored,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW_MS * 1_000_000,
    max_age: 24 * 3600 * 1_000_000_000,
  });
  // A durable consumer lives in the stream's store: after a broker restart it resumes where it was. (An ordered
  // consumer is held in memory and must be re-created, which took longer than a generator may stay silent.)
  await jsm.consumers.add(name, {
    durable_name: COORDINATOR_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    // A delivery cut by an outage is redelivered after this: short, since the ledger drops what it already has.
    ack_wait: ACK_WAIT_MS * 1_000_000,
  });
  return name;
}

export const COORDINATOR_CONSUMER = 'coordinator';
export const ACK_WAIT_MS = 3_000;

/**
 * Publishes to JetStream until the broker acknowledges, retrying through outages with the same message id, so
 * a retry whose first try did land is dropped as a duplicate. Gives up only when `give up` says so.
 */
export class Outbox {
  private readonly pending = new Set<Promise<void>>();
  failed = 0;
  duplicates = 0;

  constructor(
    private readonly bus: Bus,
    private readonly giveUpAfterMs: number,
  ) {}

  publish(subject: string, payload: unknown, msgID: string): void {
    const data = encodeJson(payload);
    const task = this.deliver(subject, data, msgID).finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  private async deliver(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    const deadline = Date.now() + this.giveUpAfterMs;
    for (;;) {
      try {
        const ack = await this.bus.js.publish(subject, data, { msgID, timeout: 2_000 });
        if (ack.duplicate) this.duplicates += 1;
        return;
      } catch {
        if (this.bus.nc.isClosed() || Date.now() > deadline) {
          this.failed += 1;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** Waits for everything published so far to be acknowledged (or given up on). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
