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
  // Widened, not cast: a JavaScript caller may pass anything.
  const candidate: Partial<PrometheusSource> | null | undefined = source;
  if (typeof candidate?.toPrometheus !== 'function') {
    throw new TypeError('isotrace: metricsHandler(source) needs an object with a toPrometheus() method, such as createMetricsTracer()');
  }
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, {
        status: 405,
        headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
        body: 'Method Not Allowed: use GET or HEAD\n',
        method: req.method,
      });
      return;
    }
    let body: string;
    try {
      body = source.toPrometheus();
    } catch {
      send(res, {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'isotrace: rendering the metrics failed\n',
        method: req.method,
      });
      return;
    }
    // Scrapes must see the value at scrape time, never a cached copy.
    send(res, { status: 200, headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' }, body, method: req.method });
  };
}

/** A whole response, for {@link send}; `method` is the request's, so HEAD gets no body. */
interface MetricsResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  method: string | undefined;
}

function send(res: ServerResponse, response: MetricsResponse): void {
  const { status, headers, body, method } = response;
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  // HEAD gets the headers GET would get, content-length included, and no body.
  res.end(method === 'HEAD' ? undefined : body);
}
