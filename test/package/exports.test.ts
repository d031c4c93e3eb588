// Checks the built package (run `npm run build` first; `npm test` does): the exports map, the
// names each entry exposes, and that browser outputs hold no Node-only code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (f: string) => join(root, 'dist', f);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The text of an ESM output and of every chunk it imports, transitively. */
function withImports(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return '';
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  let all = text;
  for (const m of text.matchAll(/(?:from|import)\s*['"](\.[^'"]+)['"]/g)) all += withImports(resolve(dirname(file), m[1]), seen);
  return all;
}

beforeAll(() => {
  if (!existsSync(dist('index.mjs'))) throw new Error('dist/ is missing: run `npm run build` before this test');
});

describe('package', () => {
  it('every file the exports map names exists', () => {
    const targets: string[] = [];
    const walk = (v: unknown) => (typeof v === 'string' ? targets.push(v) : Object.values(v as object).forEach(walk));
    walk(pkg.exports);
    expect(targets.length).toBeGreaterThan(6);
    for (const t of targets) expect(existsSync(join(root, t)), t).toBe(true);
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('the entries that install a context manager on load are marked as having side effects (bundlers keep the install)', () => {
    expect(pkg.sideEffects).toEqual(expect.arrayContaining(['./dist/node.mjs', './dist/browser.mjs']));
  });

  it('ships no chunk that no entry imports (a stale build would)', () => {
    const used = new Set<string>();
    for (const entry of ['index.mjs', 'node.mjs', 'browser.mjs', 'protocol.mjs', 'otel.mjs', 'express.mjs', 'hono.mjs', 'connect.mjs']) {
      const seen = new Set<string>();
      withImports(dist(entry), seen);
      for (const f of seen) used.add(f);
    }
    const chunks = readdirSync(dist('chunks')).map((f) => join(root, 'dist', 'chunks', f));
    expect(chunks.filter((c) => !used.has(c))).toEqual([]);
  });

  it('browser outputs hold no node: import and no require', () => {
    for (const text of [
      withImports(dist('browser.mjs')),
      withImports(dist('index.mjs')),
      withImports(dist('protocol.mjs')),
      readFileSync(dist('isotrace.iife.min.js'), 'utf8'),
      readFileSync(dist('isotrace.zone.iife.min.js'), 'utf8'),
    ]) {
      expect(text).not.toMatch(/['"]node:/);
      expect(text).not.toMatch(/\brequire\s*\(/);
      expect(text).not.toMatch(/async_hooks/);
    }
  });

  it('imports in Node by its name, with the AsyncLocalStorage manager installed', async () => {
    // Types resolve through the `types` condition (the core); Node gets dist/node.mjs at run time.
    const mod = (await import('isotrace')) as unknown as typeof import('../../src/node.js');
    for (const name of ['traceCall', 'getRPCInfo', 'stats', 'context', 'StatsLevel', 'traceFetch', 'AsyncLocalStorageContextManager']) {
      expect(mod, name).toHaveProperty(name);
    }
    expect(mod.getContextManager()).toBeInstanceOf(mod.AsyncLocalStorageContextManager);
    const seen = await mod.traceCall({ method: 'M', tracers: [{ start: <T>(c: T) => c, finish() {} }] }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return mod.getRPCInfo()?.to.method;
    });
    expect(seen).toBe('M');
  });

  it('the script-tag bundle defines the global isotrace with the core names, in a realm without Node or DOM', async () => {
    const core = Object.keys(await import(dist('index.mjs'))).sort();
    for (const file of ['isotrace.iife.min.js', 'isotrace.zone.iife.min.js']) {
      // Only what browsers and Node share: no window-only or Node-only global.
      const sandbox: Record<string, unknown> = { console, performance, setTimeout, clearTimeout, queueMicrotask, TextEncoder, TextDecoder, URL, crypto };
      sandbox.globalThis = sandbox;
      sandbox.window = sandbox;
      vm.runInNewContext(readFileSync(dist(file), 'utf8'), sandbox);
      const names = Object.keys(sandbox.isotrace as object);
      expect(names, file).toEqual(expect.arrayContaining([...core, 'ZoneContextManager']));
    }
  });
});

describe("the entries' names", () => {
  // Read from the built .d.ts (values and types) by scripts/count-exports.mjs.
  const entries = JSON.parse(execFileSync(process.execPath, [join(root, 'scripts/count-exports.mjs'), '--json'], { encoding: 'utf8' })) as Record<
    string,
    { values: string[]; types: string[] }
  >;
  const all = (e: string) => [...entries[e].values, ...entries[e].types];

  it('isotrace/node and isotrace/browser export every name of the core, values and types', () => {
    expect(entries.node.values).toEqual(expect.arrayContaining(entries.index.values));
    expect(entries.node.types).toEqual(expect.arrayContaining(entries.index.types));
    expect(entries.browser.values).toEqual(expect.arrayContaining(entries.index.values));
    expect(entries.browser.types).toEqual(expect.arrayContaining(entries.index.types));
    expect(entries.browser.values.filter((n) => !entries.index.values.includes(n))).toEqual(['ZoneContextManager']);
  });

  it('isotrace/protocol holds building blocks only: no name of the core, no Node-only name', () => {
    expect(all('protocol').filter((n) => all('index').includes(n) || all('node').includes(n))).toEqual([]);
  });

  it('the runtime entries agree with their types', async () => {
    for (const e of ['index', 'node', 'browser', 'protocol', 'express', 'hono', 'connect']) {
      expect(Object.keys(await import(dist(`${e}.mjs`))).sort(), e).toEqual(entries[e].values);
    }
  });
});

describe('isotrace/node and isotrace/browser', () => {
  it('are the runtime entries by name, sharing one chunk with the main entry (one context key, one manager)', async () => {
    const node = await import('isotrace/node');
    const browser = await import('isotrace/browser');
    const main = await import('isotrace');
    expect(typeof node.traceHttpHandler).toBe('function');
    expect(typeof node.createMetricsTracer).toBe('function');
    expect(node.getContextManager()).toBeInstanceOf(node.AsyncLocalStorageContextManager);
    expect(typeof browser.ZoneContextManager).toBe('function');
    expect(browser.context).toBe(node.context);
    expect(main.getRPCInfo).toBe(node.getRPCInfo);
    expect(browser.getRPCInfo).toBe(node.getRPCInfo);
  });

  it('isotrace/protocol imports by its subpath; what it builds is what the core reads', async () => {
    const protocol = await import('isotrace/protocol');
    const node = await import('isotrace/node');
    const ri = protocol.createRPCInfo({ side: 'client', to: { method: 'M' } });
    expect(ri.stats).toBeInstanceOf(protocol.RPCStats);
    expect(node.getRPCInfo(protocol.withRPCInfo(node.ROOT_CONTEXT, ri))).toBe(ri);
  });
});

describe('isotrace/otel', () => {
  it('imports by its subpath, and only it pulls @opentelemetry/api', async () => {
    const otel = await import('isotrace/otel');
    expect(typeof otel.createOpenTelemetryTracer).toBe('function');
    for (const f of ['index.mjs', 'browser.mjs', 'node.mjs']) expect(withImports(dist(f)), f).not.toMatch(/@opentelemetry/);
    expect(readFileSync(dist('isotrace.iife.min.js'), 'utf8')).not.toMatch(/@opentelemetry/);
  });
});

describe('isotrace/express and isotrace/hono', () => {
  it('import by their subpaths, share the chunk the node entry uses, and pull neither framework', async () => {
    const express = await import('isotrace/express');
    const hono = await import('isotrace/hono');
    expect(Object.keys(express).sort()).toEqual(['expressErrors', 'expressRoutes']);
    expect(Object.keys(hono)).toEqual(['honoRoutes']);
    for (const f of ['express.mjs', 'hono.mjs']) {
      const text = withImports(dist(f));
      expect(text, f).not.toMatch(/from\s*['"](express|hono)['"/]/);
    }
  });

  it('cost the other entries nothing: no adapter code in the core, browser or node outputs, nor the script tags', () => {
    for (const text of [
      withImports(dist('index.mjs')),
      withImports(dist('browser.mjs')),
      withImports(dist('node.mjs')),
      readFileSync(dist('isotrace.iife.min.js'), 'utf8'),
    ]) {
      expect(text).not.toMatch(/expressRoutes|honoRoutes|prefinish/);
    }
  });
});

describe('isotrace/connect', () => {
  it('imports by its subpath, shares the chunk the other entries use, and pulls no @connectrpc code at run time', async () => {
    const connect = await import('isotrace/connect');
    const node = await import('isotrace/node');
    expect(Object.keys(connect).sort()).toEqual(['connectClientInterceptor', 'connectServerInterceptor']);
    const text = withImports(dist('connect.mjs'));
    expect(text).not.toMatch(/@connectrpc/);
    expect(text).not.toMatch(/['"]node:/);
    expect(typeof node.traceHttpHandler).toBe('function');
    expect(pkg.peerDependenciesMeta['@connectrpc/connect']).toEqual({ optional: true });
  });

  it('costs the other entries nothing: no adapter code in the core, browser or node outputs, nor the script tags', () => {
    for (const [name, text] of [
      ['index', withImports(dist('index.mjs'))],
      ['browser', withImports(dist('browser.mjs'))],
      ['node', withImports(dist('node.mjs'))],
      ['protocol', withImports(dist('protocol.mjs'))],
      ['iife', readFileSync(dist('isotrace.iife.min.js'), 'utf8')],
      ['zone iife', readFileSync(dist('isotrace.zone.iife.min.js'), 'utf8')],
    ]) {
      expect(text, name).not.toMatch(/connectClientInterceptor|connectServerInterceptor|connectErrorCode|recordConnectCode|connectRpcSystem/);
    }
  });
});
