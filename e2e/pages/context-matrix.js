// Which browser callbacks keep isotrace's active context (zone.js underneath), case by case.
// Loaded by zone-on-page.html and zone-bundled.html; e2e/context-matrix.spec.ts asserts the table.
//
// Each case enters a fresh context with isotrace.context.with(ctx, …), schedules a callback there,
// and — where the callback is triggered by an event — fires the event from code outside any
// context, so that only the registration can carry the context. In the callback it records
// whether isotrace.context.active() is that very ctx ("kept") or not ("lost").
//
// Plain browser JavaScript: `async`/`await` here are native.
(function () {
  'use strict';

  var TIMEOUT_MS = 2000;
  var KEY = isotrace.createContextKey('e2e.matrix');

  function outsideTick() {
    // A macrotask scheduled here runs in whatever zone this code is in: callers use it from the
    // runner, which is outside every context.
    return new Promise(function (resolve) {
      setTimeout(resolve, 0);
    });
  }

  // name → function (ctx, report, trigger) ; `report()` is the probe; `trigger(fn)` runs fn outside.
  var cases = {
    setTimeout: function (ctx, report) {
      isotrace.context.with(ctx, function () {
        setTimeout(report, 0);
      });
    },
    setInterval: function (ctx, report) {
      isotrace.context.with(ctx, function () {
        var id = setInterval(function () {
          clearInterval(id);
          report();
        }, 1);
      });
    },
    requestAnimationFrame: function (ctx, report) {
      isotrace.context.with(ctx, function () {
        requestAnimationFrame(function () {
          report();
        });
      });
    },
    requestIdleCallback: function (ctx, report) {
      isotrace.context.with(ctx, function () {
        requestIdleCallback(
          function () {
            report();
          },
          { timeout: 50 },
        );
      });
    },
    queueMicrotask: function (ctx, report) {
      isotrace.context.with(ctx, function () {
        queueMicrotask(report);
      });
    },
    'Promise.then': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        Promise.resolve().then(report);
      });
    },
    'Promise.then, promise resolved later outside': function (ctx, report, trigger) {
      var resolve;
      var promise = new Promise(function (r) {
        resolve = r;
      });
      isotrace.context.with(ctx, function () {
        promise.then(report);
      });
      trigger(function () {
        resolve();
      });
    },
    'Promise.all(...).then': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        Promise.all([
          new Promise(function (r) {
            setTimeout(r, 1);
          }),
          Promise.resolve(),
        ]).then(report);
      });
    },
    'native async function, before its first await': function (ctx, report) {
      isotrace.context.with(ctx, async function () {
        report();
        await null;
      });
    },
    'native await (after)': function (ctx, report) {
      isotrace.context.with(ctx, async function () {
        await null;
        report();
      });
    },
    'native await of a timer promise (after)': function (ctx, report) {
      isotrace.context.with(ctx, async function () {
        await new Promise(function (r) {
          setTimeout(r, 1);
        });
        report();
      });
    },
    'setTimeout scheduled after a native await': function (ctx, report) {
      isotrace.context.with(ctx, async function () {
        await null;
        setTimeout(report, 0);
      });
    },
    'context.with(ctx) re-entered after a native await': function (ctx, report) {
      isotrace.context.with(ctx, async function () {
        await null;
        isotrace.context.with(ctx, function () {
          setTimeout(report, 0);
        });
      });
    },
    'for await (async generator), after the first step': function (ctx, report) {
      async function* steps() {
        yield 1;
        yield 2;
      }
      isotrace.context.with(ctx, async function () {
        for await (var step of steps()) if (step === 2) report();
      });
    },
    'DOM addEventListener (event fired outside)': function (ctx, report, trigger) {
      var el = document.createElement('button');
      document.body.appendChild(el);
      isotrace.context.with(ctx, function () {
        el.addEventListener('click', function () {
          el.remove();
          report();
        });
      });
      trigger(function () {
        el.click();
      });
    },
    'DOM onclick property (event fired outside)': function (ctx, report, trigger) {
      var el = document.createElement('button');
      document.body.appendChild(el);
      isotrace.context.with(ctx, function () {
        el.onclick = function () {
          el.remove();
          report();
        };
      });
      trigger(function () {
        el.click();
      });
    },
    'new EventTarget() listener (dispatched outside)': function (ctx, report, trigger) {
      var target = new EventTarget();
      isotrace.context.with(ctx, function () {
        target.addEventListener('ping', function () {
          report();
        });
      });
      trigger(function () {
        target.dispatchEvent(new Event('ping'));
      });
    },
    'AbortSignal abort listener (aborted outside)': function (ctx, report, trigger) {
      var controller = new AbortController();
      isotrace.context.with(ctx, function () {
        controller.signal.addEventListener('abort', function () {
          report();
        });
      });
      trigger(function () {
        controller.abort();
      });
    },
    'window message listener (postMessage outside)': function (ctx, report, trigger) {
      var tag = 'matrix-' + Math.random();
      isotrace.context.with(ctx, function () {
        window.addEventListener('message', function onMessage(event) {
          if (event.data !== tag) return;
          window.removeEventListener('message', onMessage);
          report();
        });
      });
      trigger(function () {
        window.postMessage(tag, '*');
      });
    },
    'MessagePort addEventListener (posted outside)': function (ctx, report, trigger) {
      var channel = new MessageChannel();
      isotrace.context.with(ctx, function () {
        channel.port1.addEventListener('message', function () {
          channel.port1.close();
          report();
        });
        channel.port1.start();
      });
      trigger(function () {
        channel.port2.postMessage(1);
      });
    },
    'MessagePort onmessage (posted outside)': function (ctx, report, trigger) {
      var channel = new MessageChannel();
      isotrace.context.with(ctx, function () {
        channel.port1.onmessage = function () {
          channel.port1.close();
          report();
        };
      });
      trigger(function () {
        channel.port2.postMessage(1);
      });
    },
    'MutationObserver (mutated outside)': function (ctx, report, trigger) {
      var el = document.createElement('div');
      document.body.appendChild(el);
      isotrace.context.with(ctx, function () {
        new MutationObserver(function (_records, observer) {
          observer.disconnect();
          el.remove();
          report();
        }).observe(el, { attributes: true });
      });
      trigger(function () {
        el.setAttribute('data-x', '1');
      });
    },
    'fetch().then': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        fetch('/__e2e/health').then(function (res) {
          report();
          return res.text();
        });
      });
    },
    'fetch().then(res => res.json()).then': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        fetch('/__e2e/health')
          .then(function (res) {
            return res.json();
          })
          .then(function () {
            report();
          });
      });
    },
    'XMLHttpRequest onload': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        var xhr = new XMLHttpRequest();
        xhr.onload = function () {
          report();
        };
        xhr.open('GET', '/__e2e/health');
        xhr.send();
      });
    },
    'XMLHttpRequest addEventListener(load)': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        var xhr = new XMLHttpRequest();
        xhr.addEventListener('load', function () {
          report();
        });
        xhr.open('GET', '/__e2e/health');
        xhr.send();
      });
    },
    'WebSocket onmessage': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        var ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/rpc');
        ws.onopen = function () {
          ws.send('{"jsonrpc":"2.0","id":1,"method":"Ping"}');
        };
        ws.onmessage = function () {
          ws.close();
          report();
        };
      });
    },
    'WebSocket addEventListener(message)': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        var ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/rpc');
        ws.addEventListener('open', function () {
          ws.send('{"jsonrpc":"2.0","id":1,"method":"Ping"}');
        });
        ws.addEventListener('message', function () {
          ws.close();
          report();
        });
      });
    },
    'FileReader onload': function (ctx, report) {
      isotrace.context.with(ctx, function () {
        var reader = new FileReader();
        reader.onload = function () {
          report();
        };
        reader.readAsText(new Blob(['x']));
      });
    },
  };

  function runCase(name) {
    var ctx = isotrace.ROOT_CONTEXT.setValue(KEY, name);
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error('context matrix case "' + name + '": the callback never ran'));
      }, TIMEOUT_MS);
      var triggers = [];
      function report() {
        clearTimeout(timer);
        var active = isotrace.context.active();
        resolve({
          kept: active === ctx,
          sawOtherContext: active !== ctx && active !== isotrace.ROOT_CONTEXT,
          zone: typeof Zone === 'undefined' ? null : Zone.current.name,
        });
      }
      cases[name](ctx, report, function (fn) {
        triggers.push(fn);
      });
      // Fire the events from here: outside every context (checked by the spec).
      outsideTick().then(function () {
        triggers.forEach(function (fn) {
          fn();
        });
      });
    });
  }

  /** Runs every case (or `only`) one after another; resolves to { outside, cases: { name: result } }. */
  window.runContextMatrix = async function (only) {
    var names = only || Object.keys(cases);
    var out = { outside: isotrace.context.active() === isotrace.ROOT_CONTEXT, cases: {} };
    for (var i = 0; i < names.length; i++) out.cases[names[i]] = await runCase(names[i]);
    out.outsideAfter = isotrace.context.active() === isotrace.ROOT_CONTEXT;
    return out;
  };
})();
