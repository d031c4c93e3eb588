import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, createContextKey } from '../../src/context/context.js';
import { AsyncLocalStorageContextManager } from '../../src/context/async-local-storage-context-manager.js';
import { runInterleaved } from './isolation.js';

const K = createContextKey('k');

describe('AsyncLocalStorageContextManager', () => {
  it('1,000 interleaved tasks with random timers, awaits, .then and microtasks each see only their own context', async () => {
    const m = new AsyncLocalStorageContextManager();
    const results = await runInterleaved(m, 1000, ['timer', 'await', 'then', 'microtask']);
    expect(results).toHaveLength(1000);
    for (const { expected, seen } of results) {
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set([expected]));
    }
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('nests and restores, also when fn throws', () => {
    const m = new AsyncLocalStorageContextManager();
    const a = ROOT_CONTEXT.setValue(K, 'a');
    const b = ROOT_CONTEXT.setValue(K, 'b');
    m.with(a, () => {
      expect(() =>
        m.with(b, () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(m.active()).toBe(a);
    });
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('passes thisArg and arguments', () => {
    const m = new AsyncLocalStorageContextManager();
    const self = { n: 1 };
    expect(
      m.with(
        ROOT_CONTEXT,
        function (this: typeof self, x: number) {
          return this.n + x;
        },
        self,
        2,
      ),
    ).toBe(3);
  });

  it('binds functions and EventEmitters so callbacks run in the bound context', async () => {
    const m = new AsyncLocalStorageContextManager();
    const a = ROOT_CONTEXT.setValue(K, 'a');
    const fn = m.bind(a, () => m.active().getValue(K));
    const ee = m.bind(a, new EventEmitter());
    const seen: unknown[] = [];
    const listener = () => seen.push(m.active().getValue(K));
    ee.on('x', listener);
    // Emit from a different context: the listener still sees the bound one.
    m.with(ROOT_CONTEXT.setValue(K, 'other'), () => ee.emit('x'));
    ee.off('x', listener);
    ee.emit('x');
    expect(await new Promise((r) => setTimeout(() => r(fn()), 1))).toBe('a');
    expect(seen).toEqual(['a']);
  });

  it('disable forgets the active context', () => {
    const m = new AsyncLocalStorageContextManager();
    m.with(ROOT_CONTEXT.setValue(K, 'a'), () => {
      m.disable();
      expect(m.active()).toBe(ROOT_CONTEXT);
    });
  });
});
