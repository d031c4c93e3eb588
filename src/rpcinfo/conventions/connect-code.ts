// What a Connect-ES error says, read without importing @connectrpc/connect: a `ConnectError`
// carries a numeric `code` that is the gRPC status code (Connect's codes are gRPC's, by number).
// Recorded under the key of the protocol the call spoke, as the wire readers record it, so
// `protocolFailure` judges an interceptor's call exactly as it judges one read from the wire.
import type { RPCInfo } from '../rpcinfo.js';
import { grpcStatusName } from './protocol-status.js';
import { mediaTypeEssence, rpcSystemOf } from './rpc-path.js';

/** The gRPC status code of a Connect-ES `ConnectError` (any realm, any copy of the library), else `undefined`. */
export function connectErrorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'ConnectError' && typeof code === 'number' && Number.isInteger(code) && code > 0 ? code : undefined;
}

/** Connect's name for a code (`5` → `not_found`; `1` → `canceled`, Connect's spelling). */
export function connectCodeName(code: number): string {
  return code === 1 ? 'canceled' : grpcStatusName(code).toLowerCase();
}

/** OpenTelemetry's `rpc.system` for a Connect-ES request's `Content-Type`: `grpc_web`, `grpc` or `connect_rpc`. */
export function connectRpcSystem(header: { get(name: string): string | null }): string {
  return rpcSystemOf(mediaTypeEssence(header.get('content-type') ?? undefined));
}

/**
 * Records the code of `error` (a `ConnectError`) on `ri` under its protocol's key:
 * `rpc.grpc.status_code` (the number) when `ri.attributes['rpc.system']` is `grpc` or
 * `grpc_web`, else `rpc.connect_rpc.error_code` (the name). Returns the code's name as
 * `error.type` gives it (`NOT_FOUND` for gRPC, `not_found` for Connect), or `undefined` when
 * `error` is no `ConnectError`.
 */
export function recordConnectCode(ri: RPCInfo, error: unknown): string | undefined {
  const code = connectErrorCode(error);
  if (code === undefined) return undefined;
  const system = ri.attributes['rpc.system'];
  if (system === 'grpc' || system === 'grpc_web') {
    ri.attributes['rpc.grpc.status_code'] = code;
    return grpcStatusName(code);
  }
  return (ri.attributes['rpc.connect_rpc.error_code'] = connectCodeName(code));
}
