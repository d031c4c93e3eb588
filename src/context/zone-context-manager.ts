import { ROOT_CONTEXT, type Context } from './context.js';
import type { ContextManager } from './context-manager.js';
import { bindWithManager } from './bind-function.js';

/** The part of zone.js's `Zone` this manager uses (zone.js is an optional peer, not imported). */
interface ZoneLike {
  fork(spec: { name: string; properties?: Record<string, unknown> }): ZoneLike;
  get(key: string): unknown;
  run<T>(fn: (...args: unknown[]) => T, applyThis?: unknown, applyArgs?: unknown[]): T;
}
interface ZoneStatic {
  readonly current: ZoneLike;
  readonly root: ZoneLike;
}

const CONTEXT_PROPERTY = 'isotrace.context';

/**
 * The browser manager: each context maps to a zone forked from the root zone, so zone.js carries
 * it through timers, DOM events, XHR, `fetch().then` and promise chains. zone.js cannot follow a
 * native `await`: code after the first `await` of a native async function runs outside the zone
 * and sees `ROOT_CONTEXT` — capture `ctx` before the `await` and pass it explicitly.
 *
 * Needs zone.js loaded before use (`globalThis.Zone`); the browser entry installs this manager
 * by default when it finds `Zone`.
 */
export class ZoneContextManager implements ContextManager {
  // One zone per context, reused: forking on every `with` would allocate for nothing.
  private readonly zones = new WeakMap<Context, ZoneLike>();
  private enabled = true;
  private readonly Zone: ZoneStatic;

  constructor(zone: unknown = (globalThis as { Zone?: unknown }).Zone) {
    if (!zone) {
      throw new TypeError('ZoneContextManager needs zone.js: load it (import "zone.js" or a <script>) before isotrace');
    }
    this.Zone = zone as ZoneStatic;
  }

  active(): Context {
    if (!this.enabled) return ROOT_CONTEXT;
    return (this.Zone.current.get(CONTEXT_PROPERTY) as Context | undefined) ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (!this.enabled) return fn.call(thisArg, ...args);
    return this.zoneFor(ctx).run(fn as never, thisArg, args) as ReturnType<F>;
  }

  bind<T>(ctx: Context, target: T): T {
    return bindWithManager(this, ctx, target);
  }

  enable(): this {
    this.enabled = true;
    return this;
  }

  disable(): this {
    this.enabled = false;
    return this;
  }

  private zoneFor(ctx: Context): ZoneLike {
    let zone = this.zones.get(ctx);
    if (!zone) {
      zone = this.Zone.root.fork({ name: 'isotrace', properties: { [CONTEXT_PROPERTY]: ctx } });
      this.zones.set(ctx, zone);
    }
    return zone;
  }
}
