import { ROOT_CONTEXT, type Context } from '../context/context.js';
import type { HeaderCarrier } from '../rpcinfo/header-carrier.js';
import { CALLER_SERVICE_HEADER } from '../rpcinfo/header-names.js';
import { assembleRPCInfo, withRPCInfo, type RPCInfo } from '../rpcinfo/rpcinfo.js';
import { assertStatsLevel, defaultStatsLevel, type StatsLevel } from '../rpcinfo/stats-level.js';
import { createTraceController, type TraceController, type TraceControllerOptions } from '../tracer/trace-controller.js';
import { BAGGAGE_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../propagation/w3c-propagator.js';

/** The options every server wrapper takes. */
export interface ServerTraceOptions extends TraceControllerOptions {
  /** This (the serving) service's name: `ri.to.serviceName`. */
  service?: string;
  /** Default: Detailed with tracers, Disabled without. */
  statsLevel?: StatsLevel;
  /**
   * Accept the caller's trace context (default `true`). With `false`, `traceparent`,
   * `tracestate` and `baggage` are kept out of `ri.headers`, so no tracer can continue the
   * caller's trace and every request starts a new one (use it at a public edge).
   */
  trustIncoming?: boolean;
}

/** What a wrapper resolves once, when it is created, rather than per request. */
export interface ServerSetup {
  readonly controller: TraceController;
  readonly service: string;
  readonly statsLevel: StatsLevel;
  readonly trustIncoming: boolean;
}

// The callback options of the server wrappers, checked in one place.
const HOOKS = ['describe', 'clientAddress', 'onHandlerError', 'onConnectionError', 'onTracerError'];

/** Validates `options` and builds the controller: a bad option fails at wrap time, not on the first request. */
export function createServerSetup(options: ServerTraceOptions): ServerSetup {
  if (typeof options !== 'object' || options === null) throw new TypeError('isotrace: server wrapper options must be an object');
  if (options.service !== undefined && typeof options.service !== 'string') {
    throw new TypeError(`isotrace: options.service must be a string, got ${typeof options.service}`);
  }
  for (const hook of HOOKS) {
    const value = (options as Record<string, unknown>)[hook];
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`isotrace: options.${hook} must be a function, got ${typeof value}`);
  }
  const controller = createTraceController(options);
  const statsLevel = options.statsLevel ?? defaultStatsLevel(controller.tracers.length);
  assertStatsLevel(statsLevel);
  return { controller, service: options.service ?? '', statsLevel, trustIncoming: options.trustIncoming !== false };
}

// What `trustIncoming: false` keeps away from tracers: everything that would continue a trace.
const TRACE_HEADERS = new Set([TRACEPARENT_HEADER, TRACESTATE_HEADER, BAGGAGE_HEADER]);

/**
 * Adds one incoming header (or `meta` member) to `carrier`. Non-string values are skipped, a
 * repeated name is joined with `, ` as Node joins headers (so two `traceparent`s read as one
 * invalid value, as the spec wants), and trace headers are dropped when not trusted.
 */
export function addIncomingHeader(carrier: HeaderCarrier, name: string, value: unknown, trustIncoming: boolean): void {
  if (typeof value !== 'string') return;
  const key = name.toLowerCase();
  if (!trustIncoming && TRACE_HEADERS.has(key)) return;
  const previous = carrier.get(key);
  carrier.set(key, previous === undefined ? value : `${previous}, ${value}`);
}

/** What a transport knows of one incoming call when it creates its RPCInfo. */
export interface ServerCallInit {
  transport: 'http' | 'fetch' | 'websocket';
  /** The request's headers (or frame `meta`), already filtered by {@link addIncomingHeader}. */
  headers: HeaderCarrier;
  /** The caller's address (`ri.from.address`), `''` when unknown. */
  clientAddress: string;
  /** This server's address as the caller reached it (`ri.to.address`), `''` when unknown. */
  serverAddress: string;
  service: string;
  method: string;
  package?: string;
  seqId?: number | string;
  codec?: string;
}

/**
 * The server-side RPCInfo of one call; the caller names itself in {@link CALLER_SERVICE_HEADER}.
 * Transports write their attributes into `ri.attributes` afterwards, before the tracers start,
 * rather than passing them in: `createRPCInfo` copies `init.attributes` with an object spread,
 * and V8 gives spread copies maps without transitions, so each attribute added later (the status
 * code, the error type) would build a new hidden class, about 1.5 µs apiece (measured, Node 20).
 */
export function createServerRPCInfo(setup: ServerSetup, init: ServerCallInit): RPCInfo {
  // Every part complete, as createRPCInfo would make it (same fields, same order), so it can be
  // assembled without copies; `setup.statsLevel` was checked when the wrapper was created.
  return assembleRPCInfo(
    'server',
    { serviceName: init.headers.get(CALLER_SERVICE_HEADER) ?? '', method: '', address: init.clientAddress, tags: {} },
    { serviceName: setup.service || init.service, method: init.method, address: init.serverAddress, tags: {} },
    { service: init.service || setup.service, method: init.method, package: init.package ?? '', seqId: init.seqId ?? 0 },
    { transport: init.transport, timeoutMs: undefined, codec: init.codec },
    setup.statsLevel,
    init.headers,
  );
}

/**
 * Runs the tracers' `start` for `ri` (they extract the caller's context from `ri.headers`).
 * A served call starts from `ROOT_CONTEXT`, not the active context: the active context where a
 * socket emits is whatever was active when the server or connection was set up, and inheriting
 * it would make one request the parent of unrelated ones. The caller's context comes in by headers.
 */
export function startServerCall(setup: ServerSetup, ri: RPCInfo): Context {
  return setup.controller.start(withRPCInfo(ROOT_CONTEXT, ri));
}

/** `host:port`, with brackets around an IPv6 host; just the host when there is no port. */
export function formatAddress(host: string | undefined, port: number | string | undefined): string {
  if (!host) return '';
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port === undefined || port === '' ? bracketed : `${bracketed}:${port}`;
}
