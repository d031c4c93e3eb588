import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, createContextKey } from '../../src/context/context.js';

describe('Context', () => {
  const A = createContextKey('a');
  const B = createContextKey('b');

  it('is immutable: setValue and deleteValue return new contexts', () => {
    const one = ROOT_CONTEXT.setValue(A, 1);
    const two = one.setValue(B, 2);
    expect(ROOT_CONTEXT.getValue(A)).toBeUndefined();
    expect(one.getValue(A)).toBe(1);
    expect(one.getValue(B)).toBeUndefined();
    expect(two.getValue(A)).toBe(1);
    expect(two.getValue(B)).toBe(2);
    const three = two.deleteValue(A);
    expect(three.getValue(A)).toBeUndefined();
    expect(two.getValue(A)).toBe(1);
  });

  it('deleting an absent key returns the same context', () => {
    const one = ROOT_CONTEXT.setValue(A, 1);
    expect(one.deleteValue(B)).toBe(one);
  });

  it('keys with the same name are distinct', () => {
    const k1 = createContextKey('same');
    const k2 = createContextKey('same');
    const ctx = ROOT_CONTEXT.setValue(k1, 'x');
    expect(ctx.getValue(k2)).toBeUndefined();
    expect(k1.description).toBe('same');
  });
});
