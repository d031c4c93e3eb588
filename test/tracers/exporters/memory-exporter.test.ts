import { describe, expect, it } from 'vitest';
import { traceCall } from '../../../src/client/trace-call.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';

describe('memory exporter', () => {
  it('keeps sampled spans in end order, forgets them on reset, keeps none after shutdown', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'test', exporter: memory });
    await traceCall({ tracers: [tracer], method: 'A' }, () => traceCall({ tracers: [tracer], method: 'B' }, () => 1));
    expect(memory.spans.map((s) => s.name)).toEqual(['B', 'A']);
    await memory.forceFlush();
    memory.reset();
    expect(memory.spans).toEqual([]);
    tracer.startSpan('C').end();
    expect(memory.spans.map((s) => s.name)).toEqual(['C']);
    await tracer.shutdown();
    tracer.startSpan('D').end();
    expect(memory.spans.map((s) => s.name)).toEqual(['C']);
  });
});
