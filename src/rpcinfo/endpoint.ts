/** One side of a call: the caller (`from`) or the callee (`to`). */
export interface EndpointInfo {
  /** The service's name, e.g. `gateway` or `acme.user.v1.UserService`; empty when unknown. */
  serviceName: string;
  /** The method this endpoint called or serves; empty when unknown. */
  method: string;
  /** Where it is: a URL origin, `host:port`, or empty when unknown. */
  address: string;
  /** Free-form tags (cluster, version, user agent). */
  tags: Record<string, string>;
}

/** An {@link EndpointInfo} with defaults for what `init` leaves out. */
export function createEndpoint(init: Partial<EndpointInfo> = {}): EndpointInfo {
  return {
    serviceName: init.serviceName ?? '',
    method: init.method ?? '',
    address: init.address ?? '',
    // Object.assign, not a spread: V8 gives spread copies shapes that later writes make slow.
    tags: init.tags === undefined ? {} : Object.assign({}, init.tags),
  };
}
