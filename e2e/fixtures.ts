// Playwright fixtures for the isotrace e2e suite.
//
//   server       (worker scope) the in-process e2e server (e2e/server.mjs), one per worker.
//   serverRoutes (worker option) extra routes the server starts with; override per file with
//                test.use({ serverRoutes: [...] }), or add them at run time with server.addRoute().
//   baseURL      the server's URL, so page.goto('/zone-on-page.html') works.
//   pageProblems (auto) every pageerror, console error and failed request of `page`; the test
//                fails at teardown when one is left that no allowedPageProblems pattern matches.
//                Specs may also assert on it directly.
//   allowedPageProblems (option) patterns of expected problems, e.g. a test that makes an RPC
//                endpoint answer 500 on purpose: test.use({ allowedPageProblems: [/status of 500/] }).
//   topology     (worker scope, started on first use) the traced services of e2e/topology.mjs:
//                gateway (pages, RPCs, OTLP collector), realtime (ws), backend. Open pages at
//                `${topology.url}/app-zone-on-page.html`; assert on topology.collector / .seen.
import { test as base, expect } from '@playwright/test';
import { startServer, type Route, type StartedServer } from './server.mjs';
import { startTopology, type Topology } from './topology.mjs';

export type { Route, StartedServer, Topology };

export interface TestFixtures {
  allowedPageProblems: RegExp[];
  pageProblems: string[];
}

export interface WorkerFixtures {
  serverRoutes: Route[];
  server: StartedServer;
  topology: Topology;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  serverRoutes: [[], { scope: 'worker', option: true }],

  server: [
    async ({ serverRoutes }, use) => {
      const server = await startServer({ port: 0, routes: serverRoutes });
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],

  topology: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; none here.
    async ({}, use) => {
      const topology = await startTopology();
      await use(topology);
      await topology.close();
    },
    { scope: 'worker' },
  ],

  baseURL: async ({ server }, use) => {
    await use(server.url);
  },

  allowedPageProblems: [[], { option: true }],

  pageProblems: [
    async ({ page, allowedPageProblems }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.stack ?? error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
      });
      page.on('requestfailed', (request) => problems.push(`requestfailed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`));
      await use(problems);
      const unexpected = problems.filter((problem) => !allowedPageProblems.some((re) => re.test(problem)));
      expect(unexpected, 'page errors, console errors or failed requests').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
