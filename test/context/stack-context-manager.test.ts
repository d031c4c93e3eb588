import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, createContextKey } from '../../src/context/context.js';
import { StackContextManager } from '../../src/context/stack-context-manager.js';

const K = createContextKey('k');

describe('StackContextManager', () => {
  it('makes a context active for the synchronous extent of with, nested, and restores it after a throw', () => {
    const m = new StackContextManager();
    const a = ROOT_CONTEXT.setValue(K, 'a');
    const b = ROOT_CONTEXT.setValue(K, 'b');
    expect(m.active()).toBe(ROOT_CONTEXT);
    m.with(a, () => {
      expect(m.active()).toBe(a);
      expect(() =>
        m.with(b, () => {
          expect(m.active()).toBe(b);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(m.active()).toBe(a);
    });
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('passes thisArg and arguments, and returns the result', () => {
    const m = new StackContextManager();
    const self = { base: 10 };
    const result = m.with(
      ROOT_CONTEXT,
      function (this: typeof self, x: number, y: number) {
        return this.base + x + y;
      },
      self,
      1,
      2,
    );
    expect(result).toBe(13);
  });

  it('binds a function to a context', () => {
    const m = new StackContextManager();
    const a = ROOT_CONTEXT.setValue(K, 'a');
    const bound = m.bind(a, (x: number) => [m.active().getValue(K), x]);
    expect(bound(7)).toEqual(['a', 7]);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('binds an EventEmitter: listeners run in the context, and removeListener still removes them', () => {
    const m = new StackContextManager();
    const a = ROOT_CONTEXT.setValue(K, 'a');
    const ee = m.bind(a, new EventEmitter());
    const seen: unknown[] = [];
    const listener = () => seen.push(m.active().getValue(K));
    ee.on('x', listener);
    ee.once('y', listener);
    ee.emit('x');
    ee.emit('y');
    ee.emit('y');
    ee.removeListener('x', listener);
    ee.emit('x');
    expect(seen).toEqual(['a', 'a']);
    expect(ee.listenerCount('x')).toBe(0);
  });

  it('after disable, with still calls fn but no context is active', () => {
    const m = new StackContextManager().disable();
    expect(m.with(ROOT_CONTEXT.setValue(K, 'a'), () => m.active())).toBe(ROOT_CONTEXT);
  });
});
