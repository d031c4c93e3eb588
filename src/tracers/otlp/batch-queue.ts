// The exporter's queue and when it sends: one batch in flight at a time, a full batch at once,
// a partial one after a delay, and everything queued when a flush asks.
import { context } from '../../context/context-api.js';
import type { NormalizedOtlpHttpOptions } from './http-exporter-options.js';
import { SUPPRESSED, unrefTimer } from './send.js';
import type { SpanData } from '../span/span.js';

/** The exporter's options {@link createBatchQueue} reads. */
export type BatchQueueOptions = Pick<NormalizedOtlpHttpOptions, 'maxBatchSize' | 'maxQueueSize' | 'scheduledDelayMs'>;

/** A bounded span queue that sends itself in batches. */
export interface BatchQueue {
  /** The spans waiting, oldest first. */
  readonly spans: readonly SpanData[];
  /** Queues what fits of `spans` and schedules its sending; returns how many were accepted. */
  add(spans: readonly SpanData[]): number;
  /** How many spans were ever accepted. */
  enqueued(): number;
  /** Sends what is queued now, without waiting for full batches or the delay. */
  flush(): void;
  /** Empties the queue, returning its spans to be sent some other way. */
  takeAll(): SpanData[];
  /** Clears the pending timer. */
  stop(): void;
}

/**
 * A {@link BatchQueue} that sends with `sendBatch` (which never rejects). A batch goes when it is full or `scheduledDelayMs` after its first span;
 * timers and sends run in the suppressed root context, so neither is traced nor keeps a
 * request's context alive.
 */
export function createBatchQueue(options: BatchQueueOptions, sendBatch: (batch: SpanData[]) => Promise<void>): BatchQueue {
  const { maxBatchSize, maxQueueSize, scheduledDelayMs } = options;
  const queue: SpanData[] = [];
  let taken = 0; // spans ever taken from the queue to be sent
  let dueUntil = 0; // send regardless of batch size until `taken` reaches this
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pumping = false;
  let batchDue = false;

  // Sends what is queued after `scheduledDelayMs`, unless a send is already due by then.
  const arm = () => {
    if (timer !== undefined) return;
    // Created in the suppressed root context: the timer must not keep a request's context alive.
    timer = context.with(SUPPRESSED, () =>
      setTimeout(() => {
        timer = undefined;
        flush();
      }, scheduledDelayMs),
    );
    unrefTimer(timer);
  };

  // A full batch goes out at the next microtask: after the tracer's finish returns (never from
  // inside it), yet without waiting for a timer, which a busy loop of calls may never let fire
  // (a timer re-armed on every span did exactly that, and the queue overflowed).
  const sendFullBatchSoon = () => {
    if (batchDue || pumping) return; // a running loop takes full batches as they come
    batchDue = true;
    queueMicrotask(() => {
      batchDue = false;
      pump();
    });
  };

  const loop = async () => {
    while (queue.length > 0 && (queue.length >= maxBatchSize || taken < dueUntil)) {
      const batch = queue.splice(0, maxBatchSize);
      taken += batch.length;
      await sendBatch(batch);
    }
  };

  function pump(): void {
    if (pumping) return; // the running loop sees what was added
    pumping = true;
    // Run apart from whatever call asked for the flush: its context stays out of the exporter.
    void context.with(SUPPRESSED, loop).finally(() => {
      pumping = false;
      if (queue.length >= maxBatchSize || (queue.length > 0 && taken < dueUntil)) pump();
      else if (queue.length > 0) arm();
    });
  }

  // `taken + queue.length` is every span ever accepted: each one is either still queued or taken.
  function flush(): void {
    dueUntil = Math.max(dueUntil, taken + queue.length);
    pump();
  }

  return {
    spans: queue,
    add(spans) {
      const room = Math.max(0, maxQueueSize - queue.length);
      for (let i = 0; i < spans.length && i < room; i++) queue.push(spans[i]);
      if (queue.length >= maxBatchSize) sendFullBatchSoon();
      else if (queue.length > 0) arm();
      return Math.min(room, spans.length);
    },
    enqueued: () => taken + queue.length,
    flush,
    takeAll() {
      const spans = queue.splice(0);
      taken += spans.length;
      return spans;
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
