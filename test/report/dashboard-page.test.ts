import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { dashboardUpdate, renderDashboardPage } from '../../src/report/html/dashboard.js';
import { syntheticResult, zeroRequestResult } from './fixture.js';

const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';

describe('live dashboard page', () => {
  const page = renderDashboardPage(HOSTILE, 'tok_en-1');

  it('escapes the scenario name and carries the token only as an attribute', () => {
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('data-token="tok_en-1"');
  });

  it('allows exactly its own inline scripts (by hash) and connections back to its server, nothing from elsewhere', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBe(4); // vega, vega-lite, vega-embed, the dashboard
    for (const script of scripts) expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    // Outside the inlined libraries, the page names no other origin and loads nothing by URL.
    const markup = page.replace(/<script>[\s\S]*?<\/script>/g, '');
    expect(markup).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
  });

  it('draws an update with the report chart specs and verdict, and says why a chart has nothing yet', () => {
    const result = syntheticResult();
    const update = dashboardUpdate(result, analyze(result));
    expect(update.requests).toBe(result.totals.requests);
    expect('spec' in update.charts['load-over-time']).toBe(true);
    expect('spec' in update.charts['latency-over-time']).toBe(true);
    expect(update.verdictHtml).toContain('id="verdict"');

    const empty = zeroRequestResult();
    const waiting = dashboardUpdate(empty, analyze(empty));
    expect(waiting.charts['latency-over-time']).toEqual({ noData: 'no request completed.' });
    expect(waiting.charts['errors-over-time']).toEqual({ noData: 'no request has failed so far.' });
  });

  it("carries a capacity search's probes as text lines, shown only once there is one, drawn as text (never as markup)", () => {
    const result = syntheticResult();
    expect(dashboardUpdate(result, analyze(result)).probes).toEqual([]);
    const line = `probe 2: 20 req/s — p99 38 ms ✓ (SLO 200 ms) ${HOSTILE}`;
    expect(dashboardUpdate(result, analyze(result), [line]).probes).toEqual([line]);
    expect(page).toContain('<section id="probes" hidden>');
    expect(page).toContain('item.textContent = line;');
  });
});
