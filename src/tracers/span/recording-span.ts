import type { Context } from '../../context/context.js';
import type { SpanContext } from '../../propagation/span-context.js';
import { isAttributeValue, type AttributeValue } from '../../rpcinfo/rpcinfo.js';
import { now } from '../../rpcinfo/rpc-stats.js';
import { setActiveSpan } from './active-span.js';
import { describeError } from '../../rpcinfo/conventions/error-description.js';
import { ISOTRACE_SCOPE, type Resource, type SpanAttributes, type SpanData, type SpanEvent, type SpanHandle, type SpanKind, type SpanStatus } from './span.js';

/** Events the app may add to one span; a loop calling `addEvent` must not grow a span without bound. */
const MAX_EVENTS = 128;

/** What one span starts from. */
export interface SpanStart {
  name: string;
  kind: SpanKind;
  /** The context the span starts in; its `ctx` is this plus the span. */
  parentCtx: Context;
  parent: SpanContext | undefined;
  startTime: number;
  /** What the sampler sees; the span itself gets attributes later. */
  attributes: SpanAttributes;
  /** RPC spans end when their call finishes, not on `end()`. */
  rpc: boolean;
  /** Tracing is suppressed: the span gets ids but is never sampled. */
  suppressed: boolean;
}

/** Where a tracer's spans go: the same for each of its spans. */
export interface SpanSink {
  readonly resource: Resource;
  /** Receives the finished span when it was sampled. */
  onEnd(span: SpanData): void;
}

/** What an RPC's outcome contributes when its span ends; the app's own settings win over it. */
export interface SpanOutcome {
  /** The span's name now, when the call learned it while running (a route); default: the name it started with. */
  name?: string;
  attributes: SpanAttributes;
  events: SpanEvent[];
  status: SpanStatus;
}

/** The outcome of a span that is not an RPC's, or is not sampled. */
export const NO_OUTCOME: SpanOutcome = Object.freeze({ attributes: {}, events: [], status: Object.freeze({ code: 'unset' as const }) });

/** The {@link SpanHandle} span tracers create: records while sampled and not ended, exports once on end. */
export class RecordingSpan implements SpanHandle {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: SpanContext;
  readonly parentSpanId: string | undefined;
  readonly sampled: boolean;
  readonly ctx: Context;
  readonly startTime: number;
  private readonly start: SpanStart;
  private readonly sink: SpanSink;
  // Allocated on first use: most spans get nothing from the app, and unsampled ones never do.
  private attributes: SpanAttributes | undefined;
  private events: SpanEvent[] | undefined;
  private status: SpanStatus | undefined;
  private done = false;

  constructor(start: SpanStart, spanContext: SpanContext, sampled: boolean, sink: SpanSink) {
    this.name = start.name;
    this.kind = start.kind;
    this.spanContext = spanContext;
    this.parentSpanId = start.parent?.spanId;
    this.start = start;
    this.sampled = sampled;
    this.startTime = start.startTime;
    this.sink = sink;
    this.ctx = setActiveSpan(start.parentCtx, this);
  }

  get ended(): boolean {
    return this.done;
  }

  private get recording(): boolean {
    return this.sampled && !this.done;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.recording && typeof key === 'string' && key !== '' && isAttributeValue(value)) (this.attributes ??= {})[key] = value;
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    if (typeof attributes === 'object' && attributes !== null) {
      for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  addEvent(name: string, attributes: SpanAttributes = {}, time?: number): this {
    if (!this.recording || (this.events?.length ?? 0) >= MAX_EVENTS || typeof name !== 'string') return this;
    const clean: SpanAttributes = {};
    for (const key of Object.keys(attributes ?? {})) if (isAttributeValue(attributes[key])) clean[key] = attributes[key];
    (this.events ??= []).push({ name, time: Number.isFinite(time) ? (time as number) : now(), attributes: clean });
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.recording || (status?.code !== 'unset' && status?.code !== 'ok' && status?.code !== 'error')) return this;
    this.status = typeof status.message === 'string' && status.code === 'error' ? { code: 'error', message: status.message } : { code: status.code };
    return this;
  }

  recordError(error: unknown): this {
    if (!this.recording) return this;
    const { type, message, stack } = describeError(error);
    this.setStatus(message ? { code: 'error', message } : { code: 'error' });
    (this.attributes ??= {})['error.type'] = type;
    const attributes: SpanAttributes = { 'exception.type': type, 'exception.message': message };
    if (stack !== undefined) attributes['exception.stacktrace'] = stack;
    return this.addEvent('exception', attributes);
  }

  end(endTime?: number): void {
    if (!this.start.rpc) this.finish(Number.isFinite(endTime) ? (endTime as number) : now(), NO_OUTCOME);
  }

  /** Ends the span with `outcome` under what the app set; exports it when sampled. Once only. */
  finish(endTime: number, outcome: SpanOutcome): void {
    if (this.done) return;
    this.done = true;
    if (!this.sampled) return;
    const { spanContext } = this;
    const own = this.events ?? [];
    const events = own.length === 0 ? outcome.events : outcome.events.length === 0 ? own : [...outcome.events, ...own].sort((a, b) => a.time - b.time);
    const traceState = spanContext.traceState?.serialize();
    const span: SpanData = {
      name: outcome.name ?? this.name,
      kind: this.kind,
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      ...(this.parentSpanId !== undefined && { parentSpanId: this.parentSpanId }),
      parentIsRemote: this.start.parent?.isRemote === true,
      traceFlags: spanContext.traceFlags,
      ...(traceState && { traceState }),
      startTime: this.startTime,
      // A wall clock stepped backwards must not yield a negative duration.
      endTime: Math.max(endTime, this.startTime),
      attributes: this.attributes === undefined ? outcome.attributes : { ...outcome.attributes, ...this.attributes },
      events,
      status: this.status ?? outcome.status,
      resource: this.sink.resource,
      scope: ISOTRACE_SCOPE,
    };
    this.sink.onEnd(span);
  }
}
