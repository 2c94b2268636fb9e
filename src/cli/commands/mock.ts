import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT } from '../exit-codes.js';
import { startMockServer } from '../../../mock-server/index.js';

interface MockArgs {
  port: number;
  host: string;
  profile: string;
  seed: number;
}

/** `tailscope mock`: the bundled latency-injecting server, for rehearsing against it by hand. */
export const mockCommand = {
  command: 'mock',
  describe: 'start the bundled mock text-generation API (OAuth2, Server-Timing, injected latency and faults)',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0 picks a free one)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on' })
      .option('profile', { type: 'string', default: 'llm-default', describe: 'built-in profile name or a profile YAML/JSON file' })
      .option('seed', { type: 'number', default: 42, describe: 'seed of the latency PRNG' })
      .example('tailscope mock --profile mock-server/profiles/saturating.yaml', 'a server with few slots, to find its knee'),
  handler: async (args: MockArgs, io: Io): Promise<number> => {
    const server = await startMockServer({ port: args.port, host: args.host, profile: args.profile, seed: args.seed });
    io.stdout(`listening on ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const unsubscribe = io.onInterrupt(() => {
        unsubscribe();
        resolve();
      });
    });
    await server.close();
    io.stderr('mock server stopped\n');
    return EXIT.ok;
  },
};
