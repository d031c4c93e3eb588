// The demo page (`npm run demo -- --serve`) in Chromium: the demo's servers started in-process,
// its buttons clicked, and the waterfalls it draws from the collected spans checked and
// photographed (e2e/test-results/demo-page.png).
import { fileURLToPath } from 'node:url';
import { test, expect } from './fixtures';
import { startDemo } from '../demo/demo.mjs';

const SCREENSHOT = fileURLToPath(new URL('./test-results/demo-page.png', import.meta.url));

test.use({ allowedPageProblems: [/console\.error: Failed to load resource: the server responded with a status of 500/] });

test('the demo page draws each finished trace, both sides of the wire, as a waterfall', async ({ page, pageProblems }) => {
  const demo = await startDemo({ quietMs: 250 });
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(demo.url);
    await expect(page.locator('.empty')).toHaveText('No traces yet: click a button.');

    // One click at a time, each waited for, so the page lists them in a known order.
    const clicks = [
      { button: '#btn-fetch-ok', rows: 5, errors: 0 },
      { button: '#btn-fetch-error', rows: 5, errors: 5 },
      { button: '#btn-ws', rows: 5, errors: 0 },
      { button: '#btn-ws-drop', rows: 3, errors: 3 },
    ];
    let rows = 0;
    for (const [i, click] of clicks.entries()) {
      await page.click(click.button);
      rows += click.rows;
      await expect(page.locator('article.trace')).toHaveCount(i + 1, { timeout: 5000 });
      await expect(page.locator('article.trace .row')).toHaveCount(rows);
    }
    const traces = page.locator('article.trace');
    // Newest first: the drop, the WebSocket call, the failing fetch, the fetch.
    const expectTrace = async (index: number, title: string, lines: string[], errors: number) => {
      const trace = traces.nth(index);
      await expect(trace.locator('.trace-title')).toHaveText(title);
      await expect(trace.locator('.row .label')).toHaveText(lines);
      await expect(trace.locator('.row.error')).toHaveCount(errors);
      await expect(trace.locator('.badge')).toHaveText(errors ? `${errors} error spans` : 'ok');
    };
    await expectTrace(
      3,
      'click: Fetch · GetUser',
      [
        'webclick: Fetch · GetUserinternal',
        'webdemo.v1.Gateway/GetUserclient · fetch',
        'gatewaydemo.v1.Gateway/GetUserserver · http',
        'gatewaydemo.v1.Backend/LoadUserclient · fetch',
        'backenddemo.v1.Backend/LoadUserserver · http',
      ],
      0,
    );
    await expectTrace(
      2,
      'click: Fetch · GetUser (backend fails)',
      [
        'webclick: Fetch · GetUser (backend fails)internal',
        'webdemo.v1.Gateway/GetUserclient · fetch',
        'gatewaydemo.v1.Gateway/GetUserserver · http',
        'gatewaydemo.v1.Backend/LoadUserclient · fetch',
        'backenddemo.v1.Backend/LoadUserserver · http',
      ],
      5,
    ); // the click failed too: it got the error
    await expectTrace(
      1,
      'click: WebSocket · GetFeed',
      [
        'webclick: WebSocket · GetFeedinternal',
        'webdemo.v1.Realtime/GetFeedclient · websocket',
        'realtimedemo.v1.Realtime/GetFeedserver · websocket',
        'realtimedemo.v1.Backend/LoadFeedclient · fetch',
        'backenddemo.v1.Backend/LoadFeedserver · http',
      ],
      0,
    );
    await expectTrace(
      0,
      'click: WebSocket · dropped mid-call',
      ['webclick: WebSocket · dropped mid-call', 'webdemo.v1.Realtime/Dropclient · websocket', 'realtimedemo.v1.Realtime/Dropserver · websocket'].map((t, i) =>
        i === 0 ? `${t}internal` : t,
      ),
      3,
    );
    // The Connect error body's message, read by the protocol outcome readers (was `HTTP 500`).
    await expect(traces.nth(2).locator('.err').nth(1)).toHaveText('✗ backend LoadUser failed: HTTP 500: user store unavailable for user 500');
    await expect(traces.nth(0).locator('.err').nth(2)).toContainText('the WebSocket closed (code 4001)');

    // Bars are drawn to scale: the root starts the track, the last end reaches its end (a server
    // span may end after the root: it records its write's end after the client has read), and
    // every bar lies inside it.
    const trace = traces.nth(3);
    const track = await trace.locator('.track').first().boundingBox();
    const bars = await trace.locator('.bar').evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON()));
    expect(Math.abs(bars[0].left - track!.x)).toBeLessThanOrEqual(1);
    expect(Math.max(...bars.map((b) => b.right))).toBeGreaterThanOrEqual(track!.x + track!.width - 1);
    for (const bar of bars) {
      expect(bar.left).toBeGreaterThanOrEqual(track!.x - 1);
      expect(bar.right).toBeLessThanOrEqual(track!.x + track!.width + 1);
      expect(bar.width).toBeGreaterThan(0);
    }
    // The status line reports the last click's outcome.
    await expect(page.locator('#status')).toContainText('WebSocket · dropped mid-call failed');

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageProblems.filter((p) => !p.includes('status of 500'))).toEqual([]);
  } finally {
    await demo.close();
  }
});
