import { isAttributeValue } from '../../rpcinfo/rpcinfo.js';
import { ISOTRACE_VERSION } from '../../rpcinfo/version.js';
import type { Resource, SpanAttributes } from './span.js';

// Asked when a tracer is created, not at module load, and without touching a Node module:
// `process` is only read off `globalThis`, where bundlers for browsers leave it undefined.
function sdkLanguage(): string {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  return typeof versions?.node === 'string' ? 'nodejs' : 'webjs';
}

/**
 * The resource of a span tracer: `service.name`, OpenTelemetry's `telemetry.sdk.*` attributes,
 * and `extra`. `serviceName` wins over a `service.name` in `extra`, so the option a user sees
 * first is the one that counts. Frozen: every span of the tracer shares it.
 */
export function createResource(serviceName: string, extra: SpanAttributes = {}): Resource {
  if (typeof extra !== 'object' || extra === null) {
    throw new TypeError('isotrace: resource must be an object of attributes, e.g. { "service.version": "1.2.3" }');
  }
  const resource: SpanAttributes = {
    'telemetry.sdk.name': 'isotrace',
    'telemetry.sdk.language': sdkLanguage(),
    'telemetry.sdk.version': ISOTRACE_VERSION,
  };
  for (const [key, value] of Object.entries(extra)) {
    if (!isAttributeValue(value)) {
      throw new TypeError(`isotrace: resource attribute ${key} must be a string, number or boolean, got ${typeof value}`);
    }
    resource[key] = value;
  }
  resource['service.name'] = serviceName;
  return Object.freeze(resource);
}
