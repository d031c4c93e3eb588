// Context-propagation cases for the e2e pages (zone-on-page.html, zone-bundled.html).
//
// Plain browser JavaScript, served as is: nothing transpiles it, so every `async`/`await` below
// is the browser's native one (which zone.js cannot follow), while `Promise`, timers and DOM
// listeners are the ones zone.js patched.
//
// window.runContextCases() resolves to a plain JSON object (see the end of the file); the spec
// (e2e/context-propagation.spec.ts) asserts on it. Identity checks (`===`) are made here, in the
// page, because objects do not survive the trip to the test process.
(function () {
  'use strict';

  var CASE_TIMEOUT_MS = 3000;

  function methodOf(ri) {
    return ri ? ri.to.method : null;
  }

  function zoneName() {
    return typeof Zone === 'undefined' ? null : Zone.current.name;
  }

  function zoneIsRoot() {
    return typeof Zone === 'undefined' ? null : Zone.current === Zone.root;
  }

  // One page-wide sequence, shared by probes and the recording tracer, to check what ran before what.
  var seq = 0;
  function nextSeq() {
    return ++seq;
  }

  // What code outside any call sees.
  function observeOutside() {
    return {
      method: methodOf(isotrace.getRPCInfo()),
      isRoot: isotrace.context.active() === isotrace.ROOT_CONTEXT,
      zone: zoneName(),
      zoneIsRoot: zoneIsRoot(),
    };
  }

  // What the code running now sees, compared with the call's own context and RPCInfo.
  function observe(ctx, ri, span) {
    var active = isotrace.context.active();
    var activeRI = isotrace.getRPCInfo();
    return {
      seq: nextSeq(),
      method: methodOf(activeRI), // getRPCInfo() with no argument: the active context's
      sameRPCInfo: activeRI === ri,
      sameContext: active === ctx,
      isRoot: active === isotrace.ROOT_CONTEXT,
      span: active.getValue(span) === undefined ? null : active.getValue(span),
      zone: zoneName(),
      zoneIsRoot: zoneIsRoot(),
    };
  }

  // Rejects with a readable error instead of hanging the test when a callback never comes.
  function withTimeout(name, promise) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error('context case "' + name + '" did not settle within ' + CASE_TIMEOUT_MS + ' ms'));
      }, CASE_TIMEOUT_MS);
      promise.then(
        function (value) {
          clearTimeout(timer);
          resolve(value);
        },
        function (error) {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  function delay(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  // A tracer that records what it is called with; `start` returns a derived context carrying a
  // span id, so the spec can tell that the context the tracer returned is the one made active.
  function createRecorder() {
    var SPAN = isotrace.createContextKey('e2e.span');
    var log = [];
    var nextSpan = 1;
    var tracer = {
      start: function (ctx) {
        var ri = isotrace.getRPCInfo(ctx);
        var startRecord = ri?.stats.getEvent(isotrace.stats.RPCStart);
        var span = 'span-' + nextSpan++;
        log.push({
          seq: nextSeq(),
          phase: 'start',
          method: methodOf(ri),
          span: span,
          rpcStartRecorded: !!startRecord,
          rpcFinishRecorded: !!ri?.stats.getEvent(isotrace.stats.RPCFinish),
        });
        return ctx.setValue(SPAN, span);
      },
      finish: function (ctx) {
        var ri = isotrace.getRPCInfo(ctx);
        var finishRecord = ri?.stats.getEvent(isotrace.stats.RPCFinish);
        log.push({
          seq: nextSeq(),
          phase: 'finish',
          method: methodOf(ri),
          span: ctx.getValue(SPAN) === undefined ? null : ctx.getValue(SPAN),
          rpcStartRecorded: !!ri?.stats.getEvent(isotrace.stats.RPCStart),
          rpcFinishRecorded: !!finishRecord,
          finishStatus: finishRecord ? finishRecord.status : null,
        });
      },
    };
    return { tracer: tracer, log: log, SPAN: SPAN };
  }

  function statsOf(ri) {
    var start = ri.stats.getEvent(isotrace.stats.RPCStart);
    var finish = ri.stats.getEvent(isotrace.stats.RPCFinish);
    return {
      level: ri.stats.level,
      startTime: start ? start.time : null,
      finishTime: finish ? finish.time : null,
      finishStatus: finish ? finish.status : null,
      durationMs: ri.stats.duration(isotrace.stats.RPCStart, isotrace.stats.RPCFinish),
    };
  }

  // Runs `body(ctx, probe, own)` as traceCall `method`; `probe(where)` records what the code
  // running at `where` sees. Resolves to the case's JSON.
  async function traced(recorder, method, body) {
    var probes = {};
    var own = null;
    var ownCtx = null;
    var returned = await withTimeout(
      method,
      isotrace.traceCall({ tracers: [recorder.tracer], callee: 'e2e.ContextCases', method: method }, function (ctx) {
        ownCtx = ctx;
        own = isotrace.getRPCInfo(ctx);
        function probe(where, ctxOverride) {
          probes[where] = observe(ownCtx, own, recorder.SPAN);
          if (ctxOverride !== undefined) probes[where].explicitSameRPCInfo = isotrace.getRPCInfo(ctxOverride) === own;
          return probes[where];
        }
        return body(ctx, probe, own);
      }),
    );
    return {
      method: method,
      ownMethod: methodOf(own),
      span: ownCtx.getValue(recorder.SPAN),
      returned: returned === undefined ? null : returned,
      probes: probes,
      stats: statsOf(own),
      afterCall: observeOutside(), // back in runContextCases, after the call: outside it
    };
  }

  var cases = {
    // (b) synchronously inside the call.
    sync: function (recorder) {
      return traced(recorder, 'Sync', function (_ctx, probe) {
        probe('sync');
        return 'sync-result';
      });
    },

    // (b) in a setTimeout callback, and in a timer scheduled from that callback.
    setTimeout: function (recorder) {
      return traced(recorder, 'SetTimeout', function (_ctx, probe) {
        return new Promise(function (resolve) {
          setTimeout(function () {
            probe('setTimeout');
            setTimeout(function () {
              probe('nested setTimeout');
              resolve('timeout-result');
            }, 0);
          }, 1);
        });
      });
    },

    // (b) in a DOM event listener added inside the call: clicked by button.click() from a timer
    // scheduled inside the call, then by a dispatchEvent from a timer scheduled outside any call.
    domEvent: async function (recorder) {
      var button = document.createElement('button');
      button.textContent = 'e2e';
      document.body.appendChild(button);
      var outside = null;
      var clicks = 0;
      var allClicked;
      var clicked = new Promise(function (resolve) {
        allClicked = resolve;
      });
      try {
        var started = traced(recorder, 'DomEvent', function (_ctx, probe) {
          button.addEventListener('click', function onClick() {
            clicks += 1;
            probe(clicks === 1 ? 'listener (click() from a timer inside the call)' : 'listener (dispatchEvent from outside the call)');
            if (clicks === 2) {
              button.removeEventListener('click', onClick);
              allClicked();
            }
          });
          setTimeout(function () {
            button.click();
          }, 1);
          return clicked;
        });
        // Outside the call (this code never entered it): a timer that dispatches the second click.
        setTimeout(function () {
          outside = observeOutside();
          button.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        }, 20);
        var result = await started;
        result.clicks = clicks;
        result.outsideTimer = outside;
        return result;
      } finally {
        button.remove();
      }
    },

    // (b) in a three-step promise chain, started from a promise a timer resolves.
    promiseChain: function (recorder) {
      return traced(recorder, 'PromiseChain', function (_ctx, probe) {
        return delay(1)
          .then(function () {
            probe('then 1');
            return 1;
          })
          .then(function (n) {
            probe('then 2');
            return delay(1).then(function () {
              return n + 1;
            });
          })
          .then(function (n) {
            probe('then 3');
            return 'chain-' + (n + 1);
          });
      });
    },

    // (c) a native `await` inside an async function passed to traceCall.
    nativeAwait: function (recorder) {
      return traced(recorder, 'NativeAwait', async function (ctx, probe) {
        probe('before await');
        await new Promise(function (resolve) {
          setTimeout(resolve, 1);
        });
        probe('after await (timer promise)', ctx);
        await null;
        probe('after await null', ctx);
        // The documented workaround: re-enter the captured context explicitly.
        var reentered = await new Promise(function (resolve) {
          isotrace.context.with(ctx, function () {
            setTimeout(function () {
              resolve(probe('context.with(ctx) after await, in a timer', ctx));
            }, 1);
          });
        });
        return reentered.sameRPCInfo ? 'reentered' : 'not-reentered';
      });
    },

    // (e) two calls at once, with interleaved timers: each must only ever see its own RPCInfo.
    concurrent: async function (recorder) {
      var order = [];
      function ticking(name, delays) {
        return function (_ctx, probe) {
          return Promise.all(
            delays.map(function (ms, i) {
              return new Promise(function (resolve) {
                setTimeout(function () {
                  order.push(name + i);
                  probe('tick ' + i + ' (' + ms + ' ms)');
                  Promise.resolve().then(function () {
                    probe('tick ' + i + ' then');
                    resolve();
                  });
                }, ms);
              });
            }),
          ).then(function () {
            return name;
          });
        };
      }
      var a = traced(recorder, 'ConcurrentA', ticking('A', [0, 10, 20, 30]));
      var b = traced(recorder, 'ConcurrentB', ticking('B', [5, 15, 25, 35]));
      var outsideBetween = observeOutside();
      var both = await Promise.all([a, b]);
      return { a: both[0], b: both[1], order: order, outsideBetween: outsideBetween };
    },
  };

  function describeApi() {
    var names = [
      'traceCall',
      'getRPCInfo',
      'stats',
      'context',
      'ZoneContextManager',
      'StatsLevel',
      'traceFetch',
      'getContextManager',
      'setContextManager',
      'ROOT_CONTEXT',
      'createContextKey',
    ];
    var types = {};
    names.forEach(function (name) {
      types[name] = typeof window.isotrace === 'undefined' ? 'missing' : typeof window.isotrace[name];
    });
    var manager = window.isotrace && typeof isotrace.getContextManager === 'function' ? isotrace.getContextManager() : null;
    return {
      isotrace: typeof window.isotrace,
      types: types,
      hasRPCStart: !!(window.isotrace && isotrace.stats?.RPCStart),
      managerIsZoneContextManager: !!manager && typeof isotrace.ZoneContextManager === 'function' && manager instanceof isotrace.ZoneContextManager,
      managerClass: manager?.constructor ? manager.constructor.name : null,
      zone: typeof Zone === 'undefined' ? null : { root: Zone.root.name, current: Zone.current.name },
      statsLevel: window.isotrace ? isotrace.StatsLevel : null,
    };
  }

  /**
   * Runs the cases named in `only` (default: all), one after another, and resolves to
   * { variant, api, outsideBefore, outsideAfter, cases: { name: caseJSON }, tracerLog }.
   */
  window.runContextCases = async function runContextCases(only) {
    var names = only || Object.keys(cases);
    var result = {
      variant: document.body.dataset.variant || null,
      api: describeApi(),
      outsideBefore: observeOutside(),
      cases: {},
      tracerLog: null,
      outsideAfter: null,
    };
    var recorder = createRecorder();
    for (var i = 0; i < names.length; i++) {
      if (!cases[names[i]]) throw new Error('no context case named ' + names[i]);
      result.cases[names[i]] = await cases[names[i]](recorder);
    }
    result.tracerLog = recorder.log;
    result.outsideAfter = observeOutside();
    return result;
  };
})();
