import { createContextKey, type Context } from '../context/context.js';
import { context } from '../context/context-api.js';
import { createEndpoint, type EndpointInfo } from './endpoint.js';
import { MapHeaderCarrier, type HeaderCarrier } from './header-carrier.js';
import { RPCStats } from './rpc-stats.js';
import { StatsLevel, assertStatsLevel } from './stats-level.js';

/** Which side of the wire an {@link RPCInfo} describes. */
export type RPCSide = 'client' | 'server';

/** What is being called. */
export interface Invocation {
  /** The service, e.g. `acme.user.v1.UserService`. */
  service: string;
  /** The method, e.g. `GetUser`. */
  method: string;
  /** The package or namespace the service lives in, when the protocol has one (e.g. `acme.user.v1`). */
  package: string;
  /** Sequence id: the JSON-RPC id, or a per-transport counter. */
  seqId: number | string;
}

/** How the call is made. */
export interface RPCConfig {
  /** The call's deadline in milliseconds, when it has one. */
  timeoutMs?: number;
  /** `fetch`, `http`, `websocket`, `call` (a plain function), … */
  transport: string;
  /** `json`, `proto`, `connect+json`, … when known. */
  codec?: string;
}

/** Everything a tracer needs to know about one call, carried on its context. */
export interface RPCInfo {
  readonly side: RPCSide;
  /** The caller. */
  readonly from: EndpointInfo;
  /** The callee. */
  readonly to: EndpointInfo;
  readonly invocation: Invocation;
  readonly config: RPCConfig;
  readonly stats: RPCStats;
  /**
   * What the transport knows of the protocol, under OpenTelemetry semantic-convention keys
   * (`http.request.method`, `http.response.status_code`, `url.full`, `server.address`,
   * `rpc.system`, …), so tracers can copy them to spans without knowing the transport.
   */
  readonly attributes: Record<string, AttributeValue>;
  /**
   * Trace headers: a client tracer injects into it and the transport sends what it holds; a
   * server transport fills it from the request and a server tracer extracts from it.
   */
  readonly headers: HeaderCarrier;
}

/** A value of {@link RPCInfo.attributes}. */
export type AttributeValue = string | number | boolean;

/** Whether `value` is an {@link AttributeValue}; NaN is not, as OTLP has no way to say it. */
export function isAttributeValue(value: unknown): value is AttributeValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && !Number.isNaN(value));
}

/** What {@link createRPCInfo} takes; everything but `side` has a default. */
export interface RPCInfoInit {
  side: RPCSide;
  from?: Partial<EndpointInfo>;
  to?: Partial<EndpointInfo>;
  invocation?: Partial<Invocation>;
  config?: Partial<RPCConfig>;
  statsLevel?: StatsLevel;
  headers?: HeaderCarrier;
  attributes?: Record<string, AttributeValue>;
}

/** A new {@link RPCInfo}; `invocation` defaults to the callee's service and method. */
export function createRPCInfo(init: RPCInfoInit): RPCInfo {
  if (init.side !== 'client' && init.side !== 'server') {
    throw new TypeError(`isotrace: RPCInfo side must be 'client' or 'server', got ${String(init.side)}`);
  }
  const level = init.statsLevel ?? StatsLevel.Detailed;
  assertStatsLevel(level);
  const to = createEndpoint(init.to);
  const ri = assembleRPCInfo(
    init.side,
    createEndpoint(init.from),
    to,
    {
      service: init.invocation?.service ?? to.serviceName,
      method: init.invocation?.method ?? to.method,
      package: init.invocation?.package ?? '',
      seqId: init.invocation?.seqId ?? 0,
    },
    { transport: init.config?.transport ?? 'call', timeoutMs: init.config?.timeoutMs, codec: init.config?.codec },
    level,
    init.headers ?? new MapHeaderCarrier(),
  );
  if (init.attributes !== undefined) Object.assign(ri.attributes, init.attributes);
  return ri;
}

/**
 * An RPCInfo of parts the caller built complete (every field of each, as {@link createRPCInfo}
 * would fill them) and checked, taken as they are. Transports use it per call, rather than build
 * an init object whose every part {@link createRPCInfo} would copy again.
 * @internal
 */
export function assembleRPCInfo(
  side: RPCSide,
  from: EndpointInfo,
  to: EndpointInfo,
  invocation: Invocation,
  config: RPCConfig,
  level: StatsLevel,
  headers: HeaderCarrier,
): RPCInfo {
  return { side, from, to, invocation, config, stats: new RPCStats(level), attributes: {}, headers };
}

const RPCINFO_KEY = createContextKey('isotrace.rpcinfo');

/**
 * The {@link RPCInfo} of the call `ctx` belongs to (the active context when omitted), or
 * `undefined` outside a call.
 */
export function getRPCInfo(ctx: Context = context.active()): RPCInfo | undefined {
  return ctx.getValue(RPCINFO_KEY) as RPCInfo | undefined;
}

/** A context that carries `ri`. */
export function withRPCInfo(ctx: Context, ri: RPCInfo): Context {
  return ctx.setValue(RPCINFO_KEY, ri);
}
