import type { Analysis } from '../../analysis/types.js';
import type { RunResult } from '../../result/types.js';
import { breakdownChart } from './charts/breakdown.js';
import { capacityChart } from './charts/capacity.js';
import { capacitySearchChart } from './charts/capacity-search.js';
import { errorsOverTime } from './charts/errors-over-time.js';
import { latencyOverTime } from './charts/latency-over-time.js';
import { loadOverTime } from './charts/load-over-time.js';
import { percentileSpectrum } from './charts/percentile-spectrum.js';
import { streamingChart } from './charts/streaming.js';
import { timeoutCdf } from './charts/timeout-cdf.js';
import type { Chart, NoData } from './charts/types.js';
import { renderPage, STYLE, type Block } from './page.js';
import { replaySection, resilienceSection, timeoutsSection } from './advice-sections.js';
import {
  capacityNotes,
  checksSection,
  capacitySearchSection,
  errorsSection,
  flowsSection,
  headerSection,
  requestsSection,
  scenarioSection,
  stagesSection,
  totalsSection,
  verdictSection,
} from './sections.js';
import type { Verdict } from '../../analysis/types.js';
import { capacityView, spectrum, streamingStages, timeoutView } from '../views/run.js';

/**
 * The single-run report: verdict and validity first (what a reader forwarding it needs), then load, latency,
 * where the time goes, capacity, timeouts, retries and resilience, the what-if replay (when analysed with a
 * policy), errors, streams, and the scenario as run.
 */
export async function renderHtml(result: RunResult, analysis: Analysis, verdict: Verdict): Promise<string> {
  const timeouts = timeoutView(result, analysis);
  const spectrumSeries = [
    { label: 'total', points: spectrum(result, 'total') },
    { label: 'first byte', points: spectrum(result, 'ttfb') },
  ];
  const chart = (c: Chart | NoData | undefined): Block[] => (c ? [{ chart: c }] : []);
  const blocks: Block[] = [
    { html: verdictSection(result, verdict) },
    { html: totalsSection(result, analysis) },
    { chart: loadOverTime(result) },
    { chart: latencyOverTime(result) },
    { chart: percentileSpectrum(spectrumSeries) },
    ...chart(breakdownChart(analysis)),
    { html: capacitySearchSection(analysis) },
    ...chart(analysis.capacity.atSlo ? capacitySearchChart(analysis.capacity.atSlo, analysis.capacity.slo) : undefined),
    ...chart(capacityChart(capacityView(result, analysis))),
    { html: capacityNotes(analysis) },
    { html: stagesSection(result, analysis) },
    { html: timeoutsSection(analysis, timeouts) },
    ...chart(timeouts ? timeoutCdf(timeouts.metric, timeouts.cdf, timeouts.candidates) : undefined),
    { html: resilienceSection(analysis.resilience) },
    { html: replaySection(analysis.replay) },
    ...chart(errorsOverTime(result)),
    { html: errorsSection(result) },
    { html: checksSection(result) },
    ...chart(streamingChart(streamingStages(result))),
    { html: requestsSection(result) },
    ...(result.flows || result.jobs ? [{ html: flowsSection(analysis) }] : []),
    { html: scenarioSection(result) },
  ];
  return renderPage(`tailscope — ${result.scenario.name}`, headerSection(result), blocks, STYLE);
}
