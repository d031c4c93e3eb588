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

describe('Context chains', () => {
  it('a later value shadows an earlier one, and deleting reveals nothing underneath', () => {
    const K = createContextKey('k');
    const a = ROOT_CONTEXT.setValue(K, 1).setValue(K, 2);
    expect(a.getValue(K)).toBe(2);
    const b = a.deleteValue(K);
    expect(b.getValue(K)).toBeUndefined();
    expect(b.setValue(K, 3).getValue(K)).toBe(3);
    expect(a.getValue(K)).toBe(2);
  });

  it('keeps every value through a chain longer than the flattening depth', () => {
    const keys = Array.from({ length: 100 }, (_, i) => createContextKey(`k${i}`));
    let ctx = ROOT_CONTEXT;
    keys.forEach((k, i) => {
      ctx = ctx.setValue(k, i);
    });
    ctx = ctx.deleteValue(keys[3]).setValue(keys[5], 'five');
    for (const [i, k] of keys.entries()) expect(ctx.getValue(k)).toBe(i === 3 ? undefined : i === 5 ? 'five' : i);
    let same = ROOT_CONTEXT;
    for (let i = 0; i < 1000; i++) same = same.setValue(keys[0], i);
    expect(same.getValue(keys[0])).toBe(999);
  });
});
