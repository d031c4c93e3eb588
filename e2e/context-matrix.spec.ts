// Which browser callbacks keep isotrace's active context, measured in real Chromium on both
// script-tag bundles (e2e/pages/context-matrix.js runs the cases). The table below is what users
// can rely on, and what the README's rule is about: every "lost" row is a place to pass `ctx`
// explicitly (or re-enter it with context.with). A change in zone.js or Chromium that moves a row
// fails here, so the table never goes stale silently.
import { test, expect } from './fixtures';

interface CaseResult {
  kept: boolean;
  sawOtherContext: boolean;
  zone: string | null;
}

const KEPT = true;
const LOST = false;
export const CONTEXT_MATRIX: Record<string, boolean> = {
  setTimeout: KEPT,
  setInterval: KEPT,
  requestAnimationFrame: KEPT,
  requestIdleCallback: LOST, // zone.js does not patch it by default
  queueMicrotask: KEPT,
  'Promise.then': KEPT,
  'Promise.then, promise resolved later outside': KEPT, // the zone of .then's caller counts
  'Promise.all(...).then': KEPT,
  'native async function, before its first await': KEPT,
  'native await (after)': LOST,
  'native await of a timer promise (after)': LOST,
  'setTimeout scheduled after a native await': LOST, // scheduled from the root zone
  'context.with(ctx) re-entered after a native await': KEPT, // the documented workaround
  'for await (async generator), after the first step': LOST,
  'DOM addEventListener (event fired outside)': KEPT,
  'DOM onclick property (event fired outside)': KEPT,
  'new EventTarget() listener (dispatched outside)': KEPT,
  'AbortSignal abort listener (aborted outside)': KEPT,
  'window message listener (postMessage outside)': KEPT,
  'MessagePort addEventListener (posted outside)': KEPT,
  'MessagePort onmessage (posted outside)': LOST, // needs zone.js/plugins/zone-patch-message-port
  'MutationObserver (mutated outside)': KEPT,
  'fetch().then': KEPT,
  'fetch().then(res => res.json()).then': KEPT,
  'XMLHttpRequest onload': KEPT,
  'XMLHttpRequest addEventListener(load)': KEPT,
  'WebSocket onmessage': KEPT,
  'WebSocket addEventListener(message)': KEPT,
  'FileReader onload': KEPT,
};

for (const file of ['zone-on-page.html', 'zone-bundled.html']) {
  test(`${file}: which callbacks keep the active context`, async ({ page, topology, pageProblems }) => {
    // The topology's server: it also has the WebSocket endpoint (/rpc) the WebSocket cases use.
    await page.goto(`${topology.url}/${file}`);
    const result: { outside: boolean; outsideAfter: boolean; cases: Record<string, CaseResult> } = await page.evaluate(() =>
      (window as any).runContextMatrix(),
    );
    expect(result.outside && result.outsideAfter, 'the runner itself runs outside every context').toBe(true);
    const measured = Object.fromEntries(Object.entries(result.cases).map(([name, r]) => [name, r.kept]));
    await test.info().attach('context-matrix.txt', {
      body: Object.entries(measured)
        .map(([name, kept]) => `${kept ? 'kept' : 'LOST'}  ${name}`)
        .join('\n'),
    });
    expect(measured).toEqual(CONTEXT_MATRIX);
    for (const [name, r] of Object.entries(result.cases)) {
      // Lost means back in the root zone with ROOT_CONTEXT, never another call's context.
      expect(r.sawOtherContext, name).toBe(false);
      if (r.kept) expect(r.zone, name).not.toBe('<root>');
      else expect(r.zone, name).toBe('<root>');
    }
    expect(pageProblems).toEqual([]);
  });
}
