// Shared by the specs that drive the app pages (e2e/pages/app.js) against the topology.
import type { Page } from '@playwright/test';
import { expect } from './fixtures';
import type { CollectedSpan } from './collector.mjs';

export const APP_PAGES = [
  { file: 'app-zone-on-page.html', variant: 'zone-on-page' },
  { file: 'app-zone-bundled.html', variant: 'zone-bundled' },
] as const;

/** What the page's recording tracer wrote down for one RPC (see recorder in app.js). */
export interface RpcRecord {
  side: 'client' | 'server';
  transport: string;
  service: string;
  method: string;
  spanId: string | null;
  traceId: string | null;
  parentSpanId: string | null;
  traceparent: string | null;
  events: { name: string; time: number; status: string }[];
  sendSize: number;
  recvSize: number;
  error: { name: string; message: string } | null;
  attributes: Record<string, string | number | boolean>;
  /** When the tracers' finish ran (epoch ms). */
  finishedAt: number;
}

/** What window.app.runs[name] resolves to. */
export interface RunOutcome<R = any> {
  ok: boolean;
  result?: R;
  error?: { name: string; message: string };
  traceId: string;
  clickSpanId: string;
  rpcs: RpcRecord[];
  webSpans: { spanId: string; parentSpanId: string | null; name: string; kind: string }[];
  unhandled: string[];
}

/** Clicks the scenario's button and waits for the summary of what the click did. */
export async function clickAndWait<R = any>(page: Page, name: string): Promise<RunOutcome<R>> {
  await page.click(`#run-${name}`);
  return page.evaluate((n) => (window as any).app.runs[n], name);
}

/** The one span of `spans` matching service, kind and name; fails naming what is there. */
export function findSpan(spans: readonly CollectedSpan[], service: string, kind: string, name: string): CollectedSpan {
  const found = spans.filter((s) => s.service === service && s.kind === kind && s.name === name);
  expect(found, `exactly one ${kind} span "${name}" of ${service}; spans: ${spans.map((s) => `${s.service}/${s.kind}/${s.name}`).join(', ')}`).toHaveLength(1);
  return found[0];
}

export const eventNames = (span: CollectedSpan) => span.events.map((e) => e.name);

/**
 * The span's events are in order. Browsers coarsen their clock (Chromium: 0.1 ms), so events
 * recorded in the same tick share a time and "in order" is checked on times, never on list
 * positions: every event lies within the span, RPCStart is the span's start and RPCFinish its end,
 * each `chain` (names in their expected order) has non-decreasing times, and each `XStart` present
 * is no later than its `XFinish`. Every name in the chains must be there.
 */
export function expectEventsInOrder(span: CollectedSpan, ...chains: string[][]): void {
  const names = eventNames(span);
  const label = `${span.service} ${span.kind} ${span.name}: events ${names.join(' → ')}`;
  const time = (name: string) => BigInt(span.events.find((e) => e.name === name)!.timeNs);
  for (const chain of chains) for (const name of chain) expect(names, label).toContain(name);
  expect(new Set(names.filter((n) => n !== 'exception')).size, `${label}: each event once`).toBe(names.filter((n) => n !== 'exception').length);
  for (let i = 1; i < span.events.length; i++) {
    expect(BigInt(span.events[i].timeNs) >= BigInt(span.events[i - 1].timeNs), `${label}: listed by time`).toBe(true);
  }
  expect(time('RPCStart'), `${label}: RPCStart is the span's start`).toBe(BigInt(span.startTimeNs));
  expect(time('RPCFinish'), `${label}: RPCFinish is the span's end`).toBe(BigInt(span.endTimeNs));
  for (const e of span.events) {
    expect(BigInt(e.timeNs) >= BigInt(span.startTimeNs) && BigInt(e.timeNs) <= BigInt(span.endTimeNs), `${label}: ${e.name} within the span`).toBe(true);
  }
  for (const chain of chains) {
    for (let i = 1; i < chain.length; i++) expect(time(chain[i - 1]) <= time(chain[i]), `${label}: ${chain[i - 1]} no later than ${chain[i]}`).toBe(true);
  }
  for (const name of names) {
    const finish = name.replace(/Start$/, 'Finish');
    if (name.endsWith('Start') && names.includes(finish)) expect(time(name) <= time(finish), `${label}: ${name} no later than ${finish}`).toBe(true);
  }
}

/** `span` is a child of `parent` in the same trace. */
export function expectChildOf(span: CollectedSpan, parent: CollectedSpan): void {
  expect(span.traceId, `${span.service} ${span.name}: trace id`).toBe(parent.traceId);
  expect(span.parentSpanId, `${span.service} ${span.name}: parent is ${parent.service} ${parent.name}`).toBe(parent.spanId);
}

/** OTLP span flags: bit 8 = "is-remote known", bit 9 = "parent is remote". */
export function parentIsRemote(span: CollectedSpan): boolean {
  expect(span.flags & 0x100, `${span.name}: OTLP flags say whether the parent is remote`).toBe(0x100);
  return (span.flags & 0x200) !== 0;
}

/** The traceparent a client span sends: version 00, its trace and span id, sampled + random. */
export const traceparentOf = (span: { traceId: string; spanId: string }) => `00-${span.traceId}-${span.spanId}-03`;
