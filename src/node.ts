// The Node entry: the core, plus the AsyncLocalStorage manager, installed on load.
import { setContextManager } from './context/context-api.js';
import { AsyncLocalStorageContextManager } from './context/async-local-storage-context-manager.js';

export * from './index.js';
export { AsyncLocalStorageContextManager };

setContextManager(new AsyncLocalStorageContextManager());
