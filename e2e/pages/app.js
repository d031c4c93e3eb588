// The e2e app page (app-zone-on-page.html, app-zone-bundled.html): a "web" service in the
// browser, traced with the script-tag bundle's global `isotrace`, talking to the topology of
// e2e/topology.mjs (served from the gateway's origin).
//
// Each button starts an interaction span on its click (spanTracer.startSpan('click …')) and makes
// its RPCs with that span's ctx, passed explicitly: the handlers are native async functions, and
// after their first `await` zone.js has lost the context (the README's rule). The click's work is
// kept in window.app.runs[name], a promise that never rejects and resolves to a JSON summary.
//
// Query parameters:
//   exportDelayMs  the OTLP exporter's scheduledDelayMs (default 50; a large value leaves the
//                  spans queued until the page is hidden, to test the flush on pagehide)
//   closed         an origin nothing listens on (network errors)
//   foreign        an origin outside propagateTo (trace headers must not go there)
//
// Plain browser JavaScript, served as is: every async/await below is the browser's own.
(function () {
  'use strict';

  var iso = window.isotrace;
  var params = new URLSearchParams(location.search);
  var exportDelayMs = Number(params.get('exportDelayMs') || 50);

  // Pages problems the spec checks besides Playwright's own: unhandled rejections.
  var unhandled = [];
  window.addEventListener('unhandledrejection', function (event) {
    var r = event.reason;
    unhandled.push(r?.name ? r.name + ': ' + r.message : String(r));
  });

  // ---- tracing setup --------------------------------------------------------------------------
  // Spans go to the collector (same origin, so the keepalive flush on pagehide needs no preflight)
  // and, for the spec, into memory too.
  var memory = iso.createMemoryExporter();
  var otlp = iso.createOtlpHttpExporter({ url: '/v1/traces', scheduledDelayMs: exportDelayMs, maxRetries: 1, initialBackoffMs: 50 });
  var exporter = {
    export: function (spans) {
      memory.export(spans);
      return otlp.export(spans);
    },
    forceFlush: function () {
      return otlp.forceFlush();
    },
    shutdown: function () {
      return otlp.shutdown();
    },
  };
  var spanTracer = iso.createSpanTracer({ serviceName: 'web', exporter: exporter });

  // A tracer that writes down what each RPC recorded, in finish (after the span tracer's start,
  // so the trace headers it injected are in ri.headers).
  var rpcLog = [];
  var inFlight = 0; // RPCs started and not finished (a fetch may finish up to 100 ms late, waiting for its Resource Timing entry)
  var recorder = {
    start: function (ctx) {
      inFlight += 1;
      return ctx;
    },
    finish: function (ctx) {
      inFlight -= 1;
      var ri = iso.getRPCInfo(ctx);
      var span = iso.getActiveSpan(ctx);
      var error = ri.stats.error;
      rpcLog.push({
        side: ri.side,
        transport: ri.config.transport,
        service: ri.to.serviceName,
        method: ri.to.method,
        spanId: span ? span.spanContext.spanId : null,
        traceId: span ? span.spanContext.traceId : null,
        parentSpanId: span ? span.parentSpanId || null : null,
        traceparent: ri.headers.get('traceparent') || null,
        events: ri.stats.events().map(function (r) {
          return { name: r.event.name, time: r.time, status: r.status };
        }),
        sendSize: ri.stats.sendSize,
        recvSize: ri.stats.recvSize,
        error: error ? { name: error.name || String(error), message: error.message || '' } : null,
        attributes: JSON.parse(JSON.stringify(ri.attributes)),
        finishedAt: performance.timeOrigin + performance.now(),
      });
    },
  };
  var tracers = [spanTracer, recorder];

  // One traced fetch for the page: trace headers go to the page's own origin only (the default).
  var tracedFetch = iso.traceFetch({ tracers: tracers, service: 'web' });

  var wsUrl = location.origin.replace(/^http/, 'ws') + '/rpc';
  var shared = null;
  function realtime() {
    // One client for the page, reopened if it was closed.
    if (shared === null || shared.socket.readyState > 1) {
      shared = iso.createWebSocketRpcClient(wsUrl, { tracers: tracers, service: 'web', remoteService: 'demo.v1.Realtime', timeoutMs: 5000 });
    }
    return shared;
  }

  function describeError(error) {
    return error ? { name: error.name, message: error.message, code: error.code === undefined ? null : error.code } : null;
  }

  // POST a Connect-style JSON call; reads the body to its end either way (that finishes the RPC).
  async function getUser(fetchImpl, origin, id) {
    var res = await fetchImpl(origin + '/demo.v1.Gateway/GetUser', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: id }),
    });
    var body = await res.json();
    return { status: res.status, body: body };
  }

  // What code after a native await sees: the active context, and the span on it.
  function observeActive() {
    var active = iso.context.active();
    var span = iso.getActiveSpan();
    return {
      isRoot: active === iso.ROOT_CONTEXT,
      spanId: span ? span.spanContext.spanId : null,
      zoneIsRoot: typeof Zone === 'undefined' ? null : Zone.current === Zone.root,
    };
  }

  // ---- scenarios, one per button ---------------------------------------------------------------
  var scenarios = {
    // A fetch RPC (gateway → backend), then a WebSocket RPC (realtime → backend), in one click.
    flow: async function (span) {
      var ctx = span.ctx;
      var user = await iso.context.with(ctx, function () {
        return getUser(tracedFetch, '', 7);
      });
      var afterAwait = observeActive();
      var feed = await realtime().call('GetFeed', { userId: 7 }, { ctx: ctx });
      return { user: user, feed: feed, afterAwait: afterAwait };
    },

    // The fetch RPC, made with a traced fetch created for this click with its ctx as the `ctx` option.
    fetchWithCtxOption: async function (span) {
      var fetchForClick = iso.traceFetch({ tracers: tracers, service: 'web', ctx: span.ctx });
      return { user: await getUser(fetchForClick, '', 8) };
    },

    // The README's rule, with real transports: after a native await the active context is lost;
    // a call made without ctx starts a new trace, the same call with ctx joins the click's.
    afterAwait: async function (span) {
      var ctx = span.ctx;
      var before = observeActive();
      await new Promise(function (resolve) {
        setTimeout(resolve, 1);
      });
      var after = observeActive();
      var ws = realtime();
      await ws.call('Ping', {}); // no ctx: the active (root) context
      var implicitRecord = rpcLog[rpcLog.length - 1];
      await ws.call('Ping', {}, { ctx: ctx });
      var explicitRecord = rpcLog[rpcLog.length - 1];
      return {
        before: before,
        after: after,
        implicit: { traceId: implicitRecord.traceId, parentSpanId: implicitRecord.parentSpanId, spanId: implicitRecord.spanId },
        explicit: { traceId: explicitRecord.traceId, parentSpanId: explicitRecord.parentSpanId, spanId: explicitRecord.spanId },
      };
    },

    // The backend fails: HTTP 500 from the backend, and from the gateway.
    fetch500: async function (span) {
      var ctx = span.ctx;
      return {
        user: await iso.context.with(ctx, function () {
          return getUser(tracedFetch, '', 500);
        }),
      };
    },

    // Bodies nobody reads: a ky-style client that throws on a 404 without reading it, and a page
    // that checks only `r.ok`. Each call still ends when its response does.
    unread404: async function (span) {
      var res = await iso.context.with(span.ctx, function () {
        return tracedFetch('/demo.v1.Gateway/Missing', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      });
      return { ok: res.ok, status: res.status, contentLength: Number(res.headers.get('content-length')) };
    },
    okOnly: async function (span) {
      var res = await iso.context.with(span.ctx, function () {
        return tracedFetch('/demo.v1.Gateway/GetUser', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":9}' });
      });
      return { ok: res.ok, status: res.status, contentLength: Number(res.headers.get('content-length')) };
    },

    // A network error: nothing listens at `closed`.
    networkError: async function (span) {
      var ctx = span.ctx;
      try {
        await iso.context.with(ctx, function () {
          return getUser(tracedFetch, params.get('closed'), 1);
        });
        return { caught: null };
      } catch (error) {
        return { caught: describeError(error) };
      }
    },

    // The server closes the socket while the call waits for its response.
    wsDrop: async function (span) {
      var client = iso.createWebSocketRpcClient(wsUrl, { tracers: tracers, service: 'web', remoteService: 'demo.v1.Realtime', timeoutMs: 5000 });
      try {
        await client.call('Drop', { afterMs: 5 }, { ctx: span.ctx });
        return { caught: null, pending: client.pending };
      } catch (error) {
        return { caught: describeError(error), pending: client.pending };
      }
    },

    // Trace headers and `propagateTo`: to a foreign origin, the default sends none; a fetch whose
    // propagateTo lists that origin sends them.
    foreign: async function (span) {
      var ctx = span.ctx;
      var origin = params.get('foreign');
      var allowed = iso.traceFetch({ tracers: tracers, service: 'web', propagateTo: [origin] });
      var first = await iso.context.with(ctx, function () {
        return tracedFetch(origin + '/record?via=default');
      });
      await first.text();
      await allFinished();
      var firstRecord = rpcLog[rpcLog.length - 1];
      var second = await iso.context.with(ctx, function () {
        return allowed(origin + '/record?via=propagateTo');
      });
      await second.text();
      await allFinished();
      var secondRecord = rpcLog[rpcLog.length - 1];
      return { injected: { default: firstRecord.traceparent, propagateTo: secondRecord.traceparent } };
    },
  };

  // Resolves once every RPC started so far has finished (its span exported), polling, at most 2 s.
  function allFinished() {
    var deadline = Date.now() + 2000;
    return new Promise(function (resolve) {
      (function check() {
        if (inFlight === 0 || Date.now() > deadline) resolve();
        else setTimeout(check, 5);
      })();
    });
  }

  var runs = {};
  function start(name) {
    var span = spanTracer.startSpan('click ' + name, { attributes: { 'app.button': name } });
    var logStart = rpcLog.length;
    // The scenario's synchronous start runs with the click's span active; after its first native
    // await it is on its own, and passes span.ctx explicitly.
    runs[name] = iso.context
      .with(span.ctx, function () {
        return scenarios[name](span);
      })
      .then(
        function (result) {
          return { ok: true, result: result };
        },
        function (error) {
          span.recordError(error);
          return { ok: false, error: describeError(error) };
        },
      )
      .then(function (outcome) {
        span.end(); // before the summary resolves: a test may close the page right after it
        return allFinished().then(function () {
          return outcome;
        });
      })
      .then(function (outcome) {
        outcome.traceId = span.spanContext.traceId;
        outcome.clickSpanId = span.spanContext.spanId;
        outcome.rpcs = rpcLog.slice(logStart);
        outcome.webSpans = memory.spans
          .filter(function (s) {
            return s.traceId === outcome.traceId;
          })
          .map(function (s) {
            return { spanId: s.spanId, parentSpanId: s.parentSpanId || null, name: s.name, kind: s.kind };
          });
        outcome.unhandled = unhandled.slice();
        return outcome;
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var bar = document.getElementById('buttons');
    Object.keys(scenarios).forEach(function (name) {
      var button = document.createElement('button');
      button.id = 'run-' + name;
      button.textContent = name;
      button.addEventListener('click', function () {
        start(name);
      });
      bar.appendChild(button);
    });
  });

  window.app = {
    runs: runs,
    rpcLog: rpcLog,
    memory: memory,
    otlp: otlp,
    unhandled: unhandled,
    flush: function () {
      return spanTracer.forceFlush();
    },
  };
})();
