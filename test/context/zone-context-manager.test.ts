// zone.js runs in Node too: this file loads its Node build (vitest isolates test files, so the
// patches stay here).
import 'zone.js/node';
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, createContextKey } from '../../src/context/context.js';
import { ZoneContextManager } from '../../src/context/zone-context-manager.js';
import { TASK, mulberry32 } from './isolation.js';

const K = createContextKey('k');

describe('ZoneContextManager', () => {
  it('throws a clear error without zone.js', () => {
    expect(() => new ZoneContextManager(null)).toThrow(/needs zone.js/);
  });

  it('1,000 interleaved tasks with random timers and .then chains each see only their own context', async () => {
    const m = new ZoneContextManager();
    const random = mulberry32(7);
    // zone.js follows callbacks, not native awaits: the steps are timers and promise chains.
    const task = (id: number) =>
      m.with(ROOT_CONTEXT.setValue(TASK, id), () => {
        const seen: unknown[] = [m.active().getValue(TASK)];
        let chain: Promise<void> = Promise.resolve();
        for (let i = 0; i < 6; i++) {
          const delay = Math.floor(random() * 5);
          chain =
            random() < 0.5
              ? chain.then(
                  () =>
                    new Promise<void>((r) =>
                      setTimeout(() => {
                        seen.push(m.active().getValue(TASK));
                        r();
                      }, delay),
                    ),
                )
              : chain.then(() => {
                  seen.push(m.active().getValue(TASK));
                });
        }
        return chain.then(() => ({ id, seen }));
      });
    const results = await Promise.all(Array.from({ length: 1000 }, (_, id) => task(id)));
    for (const { id, seen } of results) {
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set([id]));
    }
  });

  it("after a native await, the context is the root context, never another task's", async () => {
    const m = new ZoneContextManager();
    const seen = await Promise.all(
      [1, 2, 3].map((id) =>
        m.with(ROOT_CONTEXT.setValue(TASK, id), async () => {
          const before = m.active().getValue(TASK);
          await new Promise((r) => setTimeout(r, 2));
          return [before, m.active().getValue(TASK)];
        }),
      ),
    );
    for (const [i, [before, after]] of seen.entries()) {
      expect(before).toBe(i + 1);
      // What zone.js does with a native await, recorded: the context is lost (root), not mixed up.
      expect(after).toBeUndefined();
    }
  });

  it('reuses one zone per context and restores the outer context after with', () => {
    const m = new ZoneContextManager();
    const a = ROOT_CONTEXT.setValue(K, 'a');
    const zones = new Set<unknown>();
    m.with(a, () => zones.add(Zone.current));
    m.with(a, () => zones.add(Zone.current));
    expect(zones.size).toBe(1);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('binds a function, and disable makes every context root', () => {
    const m = new ZoneContextManager();
    const fn = m.bind(ROOT_CONTEXT.setValue(K, 'a'), () => m.active().getValue(K));
    expect(fn()).toBe('a');
    m.disable();
    expect(fn()).toBeUndefined();
  });
});
