import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../../src/context/context.js';
import { createRPCInfo, withRPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { metricsHandler, PROMETHEUS_CONTENT_TYPE, type PrometheusSource } from '../../../src/tracers/metrics/prometheus-handler.js';
import { createMetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(source: PrometheusSource): Promise<string> {
  server = createServer(metricsHandler(source));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

/** A raw node:http request, so HEAD's headers (content-length) are seen exactly as sent. */
function send(url: string, method: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('metricsHandler', () => {
  it("serves the tracer's Prometheus text to GET, with the 0.0.4 content type", async () => {
    const metrics = createMetricsTracer();
    metrics.finish(withRPCInfo(ROOT_CONTEXT, createRPCInfo({ side: 'server', to: { serviceName: 'users', method: 'Get' } })));
    const url = await serve(metrics);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body).toBe(metrics.toPrometheus());
    expect(body).toContain('isotrace_rpc_calls_total{side="server",service="users",method="Get",status="ok"} 1\n');
  });

  it('renders on every scrape, so later calls show up', async () => {
    const metrics = createMetricsTracer();
    const url = await serve(metrics);
    expect(await (await fetch(url)).text()).not.toContain('status="ok"');
    metrics.finish(withRPCInfo(ROOT_CONTEXT, createRPCInfo({ side: 'client', to: { serviceName: 'a', method: 'b' } })));
    expect(await (await fetch(url)).text()).toContain('isotrace_rpc_calls_total{side="client",service="a",method="b",status="ok"} 1');
  });

  it("answers HEAD with GET's headers and no body", async () => {
    const source = { toPrometheus: () => '# HELP x_total é\n# TYPE x_total counter\nx_total 1\n' };
    const url = await serve(source);
    const res = await send(url, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(source.toPrometheus())));
    expect(res.body).toBe('');
  });

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('answers %s with 405 and Allow: GET, HEAD', async (method) => {
    const url = await serve(createMetricsTracer());
    const res = await send(url, method);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.body).toMatch(/use GET or HEAD/);
  });

  it('answers 500 without details when rendering throws', async () => {
    const url = await serve({
      toPrometheus: () => {
        throw new Error('secret internals');
      },
    });
    const res = await send(url, 'GET');
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('secret');
  });

  it('takes any object with toPrometheus(), and throws a TypeError for anything else', () => {
    expect(typeof metricsHandler({ toPrometheus: () => '' })).toBe('function');
    for (const bad of [undefined, null, {}, { toPrometheus: 'text' }]) {
      expect(() => metricsHandler(bad as never)).toThrow(/needs an object with a toPrometheus\(\) method/);
    }
  });
});
