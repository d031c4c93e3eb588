// A traced call in Node: two Kitex-style tracers wrap plain async functions, and a nested call
// sees its parent through the AsyncLocalStorage context. Run: npm run demo
import { traceCall, getRPCInfo, stats, context, createContextKey } from 'isotrace';

const DEPTH = createContextKey('demo.depth');

// A tracer is two hooks. This one indents nested calls and prints each call's timeline.
const timelineTracer = {
  start(ctx) {
    return ctx.setValue(DEPTH, (context.active().getValue(DEPTH) ?? -1) + 1);
  },
  finish(ctx) {
    const ri = getRPCInfo(ctx);
    const start = ri.stats.getEvent(stats.RPCStart).time;
    const pad = '  '.repeat(ctx.getValue(DEPTH));
    const events = ri.stats.events().map((r) => `${r.event.name}+${(r.time - start).toFixed(2)}ms`);
    const outcome = ri.stats.error ? `error: ${ri.stats.error.message}` : 'ok';
    console.log(`${pad}${ri.from.serviceName} → ${ri.to.serviceName}.${ri.to.method}  ${outcome}  [${events.join(', ')}]`);
  },
};

const calls = new Map();
const countingTracer = {
  start: (ctx) => ctx,
  finish(ctx) {
    const { to } = getRPCInfo(ctx);
    calls.set(`${to.serviceName}.${to.method}`, (calls.get(`${to.serviceName}.${to.method}`) ?? 0) + 1);
  },
};

const tracers = [timelineTracer, countingTracer];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function getUser(id) {
  return traceCall({ tracers, service: 'gateway', callee: 'users', method: 'GetUser' }, async () => {
    await sleep(5);
    const orders = await traceCall({ tracers, service: 'users', callee: 'orders', method: 'ListOrders' }, async () => {
      await sleep(8);
      return [`order-${id}-1`, `order-${id}-2`];
    });
    return { id, orders };
  });
}

console.log('isotrace demo: traced calls (finish order: children first)\n');
console.log(await getUser(7));
await traceCall({ tracers, service: 'gateway', callee: 'billing', method: 'Charge' }, async () => {
  await sleep(3);
  throw new Error('card declined');
}).catch((error) => console.log(`caller got: ${error.message}`));
console.log('\ncalls per method:', Object.fromEntries(calls));
