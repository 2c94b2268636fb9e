import { randomBytes } from 'node:crypto';
import { analyze } from '../../analysis/analyze.js';
import type { MetricSnapshot } from '../../metrics/metric-set.js';
import type { LiveInterval } from '../../runner/coordinator.js';
import type { Scenario } from '../../scenario/types.js';
import type { Redactor } from '../../scenario/redact.js';
import { dashboardUpdate, renderDashboardPage } from '../../report/html/dashboard.js';
import { renderLiveMetrics } from '../../report/openmetrics/live.js';
import { LiveRun } from './live-run.js';
import { startDashboardServer, type DashboardDone } from './server.js';
import type { DashboardAddress } from './address.js';

export { parseDashboardAddress, isLoopbackHost } from './address.js';

/** What `run --dashboard` holds while the run goes: feed it intervals, then the report. */
export interface Dashboard {
  url: string;
  targetReady(url: string): void;
  onInterval(index: number, merged: MetricSnapshot, live: LiveInterval | undefined): void;
  /** a capacity search decided a probe: its line, as the terminal prints it, shows from the next update on */
  onProbe(line: string): void;
  finish(done: DashboardDone, reportHtml: string): void;
  close(): Promise<void>;
}

/**
 * Starts the live page and /metrics for one run. Each interval is folded into the run so far, judged with the
 * same analysis as the finished run and drawn with the report's chart code; `onStop` is the Stop button.
 * `redactor` removes the scenario's secrets from everything served, as from every file written.
 */
export async function startDashboard(
  scenario: Scenario,
  address: DashboardAddress,
  onStop: () => void,
  redactor: Redactor,
): Promise<Dashboard> {
  const scrub = (text: string) => redactor.scrub(text);
  const live = new LiveRun(scenario);
  const probes: string[] = [];
  // A fresh secret per run, only ever in the page served to this server's own origin.
  const token = randomBytes(24).toString('base64url');
  const server = await startDashboardServer({
    address,
    token,
    page: renderDashboardPage(scrub(scenario.name), token),
    metrics: () => scrub(renderLiveMetrics(live.metricsView())),
    onStop,
  });
  return {
    url: server.url,
    targetReady(url) {
      live.targetUrl = url;
    },
    onInterval(index, merged, detail) {
      live.add(index, merged, detail);
      const result = live.provisionalResult();
      server.publish(redactor.scrubJson(dashboardUpdate(result, analyze(result), probes)));
    },
    onProbe(line) {
      probes.push(line);
    },
    finish(done, reportHtml) {
      live.finished = true;
      server.finish(done, reportHtml);
    },
    close: () => server.close(),
  };
}
