import { describe, expect, it, vi } from 'vitest';
import { traceCall } from '../../../src/client/trace-call.js';
import { createConsoleExporter, formatSpanLine } from '../../../src/tracers/exporters/console-exporter.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import type { SpanData } from '../../../src/tracers/span/span.js';

const base: SpanData = {
  name: 'users/GetUser',
  kind: 'client',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  parentIsRemote: false,
  traceFlags: 3,
  startTime: 1_717_000_000_000,
  endTime: 1_717_000_000_012.34,
  attributes: {},
  events: [],
  status: { code: 'unset' },
  resource: { 'service.name': 'gateway' },
  scope: { name: 'isotrace', version: '0.1.0' },
};

describe('console exporter', () => {
  it('formats one readable line per span', () => {
    expect(formatSpanLine(base)).toBe('[isotrace] client users/GetUser 12.3ms ok trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7 parent=-');
    expect(formatSpanLine({ ...base, kind: 'server', parentSpanId: 'b7ad6b7169203331', status: { code: 'error', message: 'db "down"' } })).toBe(
      '[isotrace] server users/GetUser 12.3ms error error="db \\"down\\"" trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7 parent=b7ad6b7169203331',
    );
    expect(formatSpanLine({ ...base, status: { code: 'error' } })).toContain(' 12.3ms error trace=');
  });

  it('prints through console.log by default, or the log option; nothing after shutdown', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const tracer = createSpanTracer({ serviceName: 'gateway', exporter: createConsoleExporter() });
    await traceCall({ tracers: [tracer], callee: 'users', method: 'GetUser' }, () => 1);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatch(/^\[isotrace\] client users\/GetUser \d+\.\dms ok trace=[0-9a-f]{32} span=[0-9a-f]{16} parent=-$/);
    log.mockRestore();

    const lines: string[] = [];
    const exporter = createConsoleExporter({ log: (line) => lines.push(line) });
    exporter.export([base, base]);
    await exporter.shutdown();
    exporter.export([base]);
    expect(lines).toHaveLength(2);
    expect(() => createConsoleExporter({ log: 'x' as never })).toThrow(TypeError);
  });
});
