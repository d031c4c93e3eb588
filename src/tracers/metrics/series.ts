import type { RPCSide } from '../../rpcinfo/rpcinfo.js';
import type { Histogram } from './histogram.js';
import { formatLabels } from './prometheus.js';

/** The `status` label of the metrics tracer: `error` when the call failed. */
export type MetricsStatus = 'ok' | 'error';

/** What the metrics tracer records per label set. */
export interface SeriesMetrics {
  calls: number;
  duration: Histogram;
  requestSize: Histogram;
  responseSize: Histogram;
}

/** One label set and its metrics. */
export interface Series extends SeriesMetrics {
  readonly side: RPCSide;
  readonly service: string;
  readonly method: string;
  readonly status: MetricsStatus;
  /** The label set in text-format syntax (`side="client",…`), escaped once when the set is created. */
  readonly labels: string;
}

/** Options of {@link createSeriesStore}. */
export interface SeriesStoreOptions {
  maxLabelSets: number;
  newSeries: () => SeriesMetrics;
}

/** Label sets of the metrics tracer, bounded in number. */
export interface SeriesStore {
  /**
   * The series of the label set, created on first use; `undefined` (and the overflow count
   * raised) when it does not exist yet and `maxLabelSets` are already kept.
   */
  get(side: RPCSide, service: string, method: string, failed: boolean): Series | undefined;
  /** Every series, in creation order. */
  all(): readonly Series[];
  /** Calls turned away because the store was full. */
  overflow(): number;
  /** Forgets every series and zeroes the overflow count. */
  reset(): void;
}

/** An `[ok, error]` pair: the status needs no map of its own. */
type StatusPair = [Series | undefined, Series | undefined];
type ByService = Map<string, Map<string, StatusPair>>;

/**
 * A {@link SeriesStore}. Lookups go side → service → method → status through nested maps, so
 * the per-call path builds no key string and allocates nothing once a label set exists; the
 * intermediate maps are only created for a label set that is admitted, so turned-away calls
 * cannot grow memory either.
 *
 * @example
 * const store = createSeriesStore({ maxLabelSets: 100, newSeries: () => ({ calls: 0, duration, requestSize, responseSize }) });
 * const series = store.get('client', 'users', 'Get', false);
 * if (series !== undefined) series.calls++;
 */
export function createSeriesStore(options: SeriesStoreOptions): SeriesStore {
  const { maxLabelSets, newSeries } = options;
  let client: ByService = new Map();
  let server: ByService = new Map();
  let list: Series[] = [];
  let overflow = 0;

  function create(side: RPCSide, service: string, method: string, status: MetricsStatus): Series {
    const labels = formatLabels([
      ['side', side],
      ['service', service],
      ['method', method],
      ['status', status],
    ]);
    const series: Series = { side, service, method, status, labels, ...newSeries() };
    list.push(series);
    return series;
  }

  return {
    get(side, service, method, failed) {
      const bySide = side === 'server' ? server : client;
      const index = failed ? 1 : 0;
      let byMethod = bySide.get(service);
      let pair = byMethod?.get(method);
      const found = pair?.[index];
      if (found !== undefined) return found;
      if (list.length >= maxLabelSets) {
        overflow++;
        return undefined;
      }
      if (byMethod === undefined) bySide.set(service, (byMethod = new Map()));
      if (pair === undefined) byMethod.set(method, (pair = [undefined, undefined]));
      return (pair[index] = create(side, service, method, failed ? 'error' : 'ok'));
    },
    all: () => list,
    overflow: () => overflow,
    reset() {
      // Fresh containers rather than clear(): a toPrometheus() in progress keeps a consistent list.
      client = new Map();
      server = new Map();
      list = [];
      overflow = 0;
    },
  };
}
