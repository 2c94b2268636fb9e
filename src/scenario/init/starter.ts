/**
 * What `tailscope init` writes with no source: a scenario that runs as it stands (against the bundled mock), with
 * every section commented so a reader can turn it towards a real API.
 */
export const STARTER_SCENARIO = `# A tailscope scenario. Run it:  tailscope run scenario.yaml
# Every field is described in docs/scenarios.md; editors complete them from scenarios/scenario.schema.json.
name: starter

# What to load: the bundled mock server (started in-process), or a real API by URL.
target:
  mock: { profile: llm-default, seed: 42 }
  # url: https://api.example.com/v1          # a base path is kept: request paths are joined under it

# How to authenticate. Secrets come from the environment as \${NAME} (or \${NAME:-default}), never from the file.
auth:
  oauth2:
    tokenUrl: /oauth/token                    # relative to the target, or a full URL
    clientId: demo
    clientSecret: "\${CLIENT_SECRET:-demo-secret}"
  # header: { name: authorization, value: "Bearer \${API_TOKEN}" }   # or a static header instead

# What to send. Each virtual user picks a request by weight.
requests:
  - name: generate
    method: POST
    path: /v1/generate
    json: { prompt: "Write a haiku about latency.", max_tokens: 32, temperature: 0.7 }
    # stream: sse                             # none | sse | ws: time the first token and the gaps between tokens
    # weight: 3

# How a client behaves around each request.
client:
  timeouts: { connect: 2s, firstByte: 10s, total: 30s }
  retries: { max: 1, backoff: exponential, base: 100ms, jitter: full }

# How much load, over time. Closed model: concurrent users; open model (load.open): arrivals per second.
load:
  closed:
    - { hold: 10s, concurrency: 2 }
    - { ramp: 20s, to: 16 }
    - { steps: [8, 16, 32], each: 10s }
  # open:
  #   - { hold: 30s, rate: 50 }

# What "good" means: the verdict and the exit code (1 on a failure) follow from these.
slo: { p99: 800ms, errorRate: 1% }
thresholds: ["p99 < 800ms", "error_rate < 1%"]
`;
