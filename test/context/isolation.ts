// Shared by the manager tests: N interleaved async tasks, each under its own context.
import { ROOT_CONTEXT, createContextKey, type Context } from '../../src/context/context.js';
import type { ContextManager } from '../../src/context/context-manager.js';

export const TASK = createContextKey('task');

/** A deterministic PRNG, so a failure reproduces. */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Step = 'timer' | 'await' | 'then' | 'microtask';

/**
 * Runs `tasks` tasks concurrently; each enters its own context and then takes random steps.
 * Returns, per task, what `manager.active()` showed after each step.
 */
export async function runInterleaved(
  manager: ContextManager,
  tasks: number,
  steps: readonly Step[],
  seed = 42,
): Promise<{ expected: number; seen: unknown[] }[]> {
  const random = mulberry32(seed);
  const seenOf = (ctx: Context) => ctx.getValue(TASK);
  const run = (id: number) =>
    manager.with(ROOT_CONTEXT.setValue(TASK, id), async () => {
      const seen: unknown[] = [seenOf(manager.active())];
      for (let i = 0; i < 6; i++) {
        const step = steps[Math.floor(random() * steps.length)];
        const delay = Math.floor(random() * 5);
        if (step === 'timer') {
          seen.push(await new Promise((resolve) => setTimeout(() => resolve(seenOf(manager.active())), delay)));
        } else if (step === 'await') {
          await new Promise((resolve) => setTimeout(resolve, delay));
          seen.push(seenOf(manager.active()));
        } else if (step === 'then') {
          seen.push(await Promise.resolve().then(() => seenOf(manager.active())));
        } else {
          seen.push(await new Promise((resolve) => queueMicrotask(() => resolve(seenOf(manager.active())))));
        }
      }
      return { expected: id, seen };
    });
  return Promise.all(Array.from({ length: tasks }, (_, id) => run(id)));
}
