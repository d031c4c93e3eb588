import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Anything that renders Prometheus text: a metrics tracer, or an object of your own that joins
 * several (declared structurally, so any such object will do).
 */
export interface PrometheusSource {
  /** Metrics in Prometheus text exposition format 0.0.4. */
  toPrometheus(): string;
}

/** The `Content-Type` of Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A `node:http` request listener, as `http.createServer` takes it. */
export type MetricsRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A `node:http` handler that serves `source.toPrometheus()` to `GET` and `HEAD` (any path: mount
 * it where you want it, e.g. behind your router's `/metrics`), and answers other methods with
 * `405` and an `Allow` header. If `toPrometheus()` throws, it answers `500` without details, so a
 * scrape fails visibly instead of receiving half a page.
 *
 * @example
 * const metrics = createMetricsTracer();
 * http.createServer(metricsHandler(metrics)).listen(9464);
 */
export function metricsHandler(source: PrometheusSource): MetricsRequestHandler {
  if (typeof (source as Partial<PrometheusSource> | null)?.toPrometheus !== 'function') {
    throw new TypeError('isotrace: metricsHandler(source) needs an object with a toPrometheus() method, such as createMetricsTracer()');
  }
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'Method Not Allowed: use GET or HEAD\n', req.method);
      return;
    }
    let body: string;
    try {
      body = source.toPrometheus();
    } catch {
      send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'isotrace: rendering the metrics failed\n', req.method);
      return;
    }
    // Scrapes must see the value at scrape time, never a cached copy.
    send(res, 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' }, body, req.method);
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string, method: string | undefined): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  // HEAD gets the headers GET would get, content-length included, and no body.
  res.end(method === 'HEAD' ? undefined : body);
}
