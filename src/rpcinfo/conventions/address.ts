// How every transport and tracer reads an address into OpenTelemetry's `server.address`/
// `server.port` (or `client.address`): one splitter, one table of default ports.

/** A host and, when known, its port; an IPv6 host without brackets, as OpenTelemetry writes it. */
export interface HostPort {
  host: string;
  port?: number;
}

/** The port a URL scheme implies: 80 for `http:`/`ws:`, 443 for `https:`/`wss:`; `undefined` for others. */
export function defaultPort(protocol: string): number | undefined {
  return protocol === 'https:' || protocol === 'wss:' ? 443 : protocol === 'http:' || protocol === 'ws:' ? 80 : undefined;
}

/** The port `url` reaches: its explicit port, else its scheme's default. */
export function urlPort(url: URL): number | undefined {
  return url.port !== '' ? Number(url.port) : defaultPort(url.protocol);
}

/** `url.hostname` without the brackets a URL keeps around an IPv6 address. */
export function urlHost(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

// `host`, `[v6]` or either with `:port`; anything else (a bare IPv6 address) is all host.
const HOST_PORT = /^(?:\[(.*)\]|([^:]*))(?::(\d+))?$/;

/**
 * Splits an address — a URL origin or URL (its scheme's default port when it names none), a Host
 * header's `host[:port]` or `[v6][:port]`, or a bare IPv6 address — into host and port. A port
 * number outside 1–65535 is left out. `undefined` for `''` or a URL that does not parse.
 */
export function splitAddress(address: string): HostPort | undefined {
  if (address === '') return undefined;
  if (address.includes('://')) {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return undefined;
    }
    const port = urlPort(url);
    return port === undefined ? { host: urlHost(url) } : { host: urlHost(url), port };
  }
  const m = HOST_PORT.exec(address);
  if (m === null) return { host: address };
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  return port >= 1 && port <= 65535 ? { host, port } : { host };
}
