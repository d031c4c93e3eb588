// The Node entry: the core, plus the AsyncLocalStorage manager, installed on load.
import { setContextManager } from './context/context-api.js';
import { AsyncLocalStorageContextManager } from './context/async-local-storage-context-manager.js';

export * from './index.js';
export { AsyncLocalStorageContextManager };
export type { PrometheusSource, MetricsRequestHandler } from './server/metrics-handler.js';
export { metricsHandler, PROMETHEUS_CONTENT_TYPE } from './server/metrics-handler.js';

setContextManager(new AsyncLocalStorageContextManager());
