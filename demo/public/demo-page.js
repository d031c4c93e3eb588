// The demo page: the "web" service in the browser, traced with the script-tag bundle, and a
// waterfall view of every finished trace the collector received (polled from /api/traces).
// Plain browser JavaScript; `async`/`await` here are native, so every RPC gets the click's ctx
// explicitly (zone.js cannot follow a native await).
(function () {
  'use strict';

  var iso = window.isotrace;

  // ---- tracing ---------------------------------------------------------------------------------
  var exporter = iso.createOtlpHttpExporter({ url: '/v1/traces', scheduledDelayMs: 100 });
  var spans = iso.createSpanTracer({ serviceName: 'web', exporter: exporter });
  var tracers = [spans];
  var tracedFetch = iso.traceFetch({ tracers: tracers, service: 'web' });
  var wsUrl = location.origin.replace(/^http/, 'ws') + '/rpc';
  var shared = null;
  function realtime() {
    if (shared === null || shared.socket.readyState > 1) {
      shared = iso.createWebSocketRpcClient(wsUrl, { tracers: tracers, service: 'web', remoteService: 'demo.v1.Realtime', timeoutMs: 5000 });
    }
    return shared;
  }

  async function getUser(id) {
    var res = await tracedFetch('/demo.v1.Gateway/GetUser', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: id }),
    });
    var body = await res.json();
    if (!res.ok) throw new Error('GetUser: HTTP ' + res.status + ' ' + (body.message || ''));
    return body.user;
  }

  var actions = {
    fetchOk: function (ctx) {
      return iso.context
        .with(ctx, function () {
          return getUser(7);
        })
        .then(function (user) {
          return user.name;
        });
    },
    fetchError: function (ctx) {
      return iso.context.with(ctx, function () {
        return getUser(500);
      });
    },
    wsOk: function (ctx) {
      return realtime()
        .call('GetFeed', { userId: 7 }, { ctx: ctx })
        .then(function (feed) {
          return feed.items.length + ' posts';
        });
    },
    wsDrop: function (ctx) {
      var client = iso.createWebSocketRpcClient(wsUrl, { tracers: tracers, service: 'web', remoteService: 'demo.v1.Realtime' });
      return client.call('Drop', { afterMs: 10 }, { ctx: ctx });
    },
  };

  var status = document.getElementById('status');
  var clicks = 0;
  document.querySelectorAll('button[data-action]').forEach(function (button) {
    button.addEventListener('click', function () {
      clicks += 1;
      var span = spans.startSpan('click: ' + button.textContent.trim(), { attributes: { 'app.button': button.id } });
      status.textContent = 'running ' + button.textContent.trim() + '…';
      actions[button.dataset.action](span.ctx)
        .then(
          function (result) {
            status.textContent = button.textContent.trim() + ': ' + result;
          },
          function (error) {
            span.recordError(error);
            status.textContent = button.textContent.trim() + ' failed: ' + error.message.replace(/^isotrace: /, '');
          },
        )
        .then(function () {
          span.end();
        });
    });
  });

  // ---- waterfalls ------------------------------------------------------------------------------
  var SERVICES = ['web', 'gateway', 'realtime', 'backend'];
  var container = document.getElementById('traces');
  var rendered = '';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function ms(value) {
    return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  }

  function renderTrace(trace) {
    var errors = trace.rows.filter(function (r) {
      return r.error;
    }).length;
    var article = el('article', 'trace' + (errors ? ' has-error' : ''));
    article.dataset.traceId = trace.traceId;
    var head = el('div', 'trace-head');
    head.appendChild(el('span', 'trace-title', trace.rootName));
    head.appendChild(
      el(
        'span',
        'trace-meta',
        'trace ' + trace.traceId.slice(0, 8) + '… · ' + trace.spanCount + ' spans · ' + ms(trace.durationMs) + ' ms · ' + trace.services.join(' → '),
      ),
    );
    head.appendChild(el('span', 'badge' + (errors ? ' error' : ''), errors ? errors + ' error span' + (errors > 1 ? 's' : '') : 'ok'));
    article.appendChild(head);

    var axis = el('div', 'grid axis');
    axis.appendChild(el('span', '', 'service · span'));
    var ticks = el('div', 'ticks');
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
      ticks.appendChild(el('span', '', ms(trace.durationMs * f) + ' ms'));
    });
    axis.appendChild(ticks);
    axis.appendChild(el('span', 'ms', 'duration'));
    article.appendChild(axis);

    var total = Math.max(trace.durationMs, 0.001);
    trace.rows.forEach(function (row) {
      var serviceClass = SERVICES.indexOf(row.service) >= 0 ? row.service : 'other';
      var line = el('div', 'grid row' + (row.error ? ' error' : ''));
      line.dataset.service = row.service;
      var label = el('div', 'label');
      label.style.paddingLeft = row.depth * 16 + 'px';
      label.appendChild(el('span', 'chip ' + serviceClass, row.service));
      label.appendChild(el('span', 'name', row.name));
      label.appendChild(el('span', 'kind', row.kind + (row.transport ? ' · ' + row.transport : '')));
      line.appendChild(label);

      var track = el('div', 'track');
      var bar = el('div', 'bar ' + serviceClass);
      bar.style.left = (row.offsetMs / total) * 100 + '%';
      bar.style.width = Math.max((row.durationMs / total) * 100, 0.3) + '%';
      row.events.forEach(function (event) {
        if (event.name === 'RPCStart' || event.name === 'RPCFinish' || event.name === 'exception') return;
        var tick = el('span', 'tick');
        tick.style.left = ((event.offsetMs - row.offsetMs) / Math.max(row.durationMs, 0.001)) * 100 + '%';
        tick.title = event.name + ' +' + ms(event.offsetMs - row.offsetMs) + ' ms';
        bar.appendChild(tick);
      });
      bar.title =
        row.service +
        ' ' +
        row.name +
        ': ' +
        ms(row.durationMs) +
        ' ms' +
        (row.requestBytes ? ', request ' + row.requestBytes + ' B' : '') +
        (row.responseBytes ? ', response ' + row.responseBytes + ' B' : '') +
        '\n' +
        row.events
          .map(function (e) {
            return e.name + ' +' + ms(e.offsetMs - row.offsetMs) + ' ms';
          })
          .join('\n');
      track.appendChild(bar);
      line.appendChild(track);
      line.appendChild(el('div', 'ms', ms(row.durationMs) + ' ms'));
      article.appendChild(line);
      if (row.error) {
        var err = el('div', 'err', '✗ ' + row.errorText.replace(/^isotrace: /, ''));
        err.style.paddingLeft = row.depth * 16 + 'px';
        article.appendChild(err);
      }
    });
    return article;
  }

  function refresh() {
    return fetch('/api/traces?complete=1', { cache: 'no-store' })
      .then(function (res) {
        return res.json();
      })
      .then(function (data) {
        var key = JSON.stringify(
          data.traces.map(function (t) {
            return [t.traceId, t.spanCount];
          }),
        );
        if (key === rendered) return;
        rendered = key;
        container.replaceChildren();
        if (data.traces.length === 0) container.appendChild(el('p', 'empty', 'No traces yet: click a button.'));
        data.traces.forEach(function (trace) {
          container.appendChild(renderTrace(trace));
        });
      })
      .catch(function () {
        /* the server went away: keep what is drawn */
      });
  }
  refresh();
  setInterval(refresh, 500);

  window.demo = {
    exporter: exporter,
    clicks: function () {
      return clicks;
    },
  };
})();
