/**
 * Where a traced fetch may send trace headers: a list of origins (`'https://api.example.com'`)
 * and RegExps (tested against the full URL), or a predicate. Default: the page's own origin in
 * browsers (cross-origin trace headers would trigger CORS preflights the server may refuse), and
 * every origin where there is no `location` (Node).
 */
export type PropagateTo = ReadonlyArray<string | RegExp> | ((url: URL) => boolean);

/** A compiled {@link PropagateTo}: whether trace headers may go to `url`. */
export type PropagateToMatcher = (url: URL) => boolean;

/** The origin of the page or worker, or `undefined` where there is none (Node) or it is opaque. */
function currentOrigin(): string | undefined {
  // Looked up per call, never at module load: the core must load where `location` does not exist.
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin : undefined;
}

/** The default matcher: same origin when there is a `location`, every URL otherwise. */
function defaultMatcher(url: URL): boolean {
  const origin = currentOrigin();
  if (origin !== undefined) return url.origin === origin;
  // A browser page at an opaque origin (file://, sandboxed iframe) has `location` but no origin
  // to compare with: send nothing rather than leak headers everywhere.
  return (globalThis as { location?: unknown }).location === undefined;
}

function compileOrigin(entry: string, index: number): string {
  let parsed: URL;
  try {
    parsed = new URL(entry);
  } catch {
    throw new TypeError(`isotrace: propagateTo[${index}] must be an origin like 'https://api.example.com', got '${entry}'`);
  }
  if (parsed.origin === 'null' || (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash) {
    throw new TypeError(`isotrace: propagateTo[${index}] ('${entry}') must be an origin (scheme://host[:port]); use a RegExp to match paths`);
  }
  return parsed.origin;
}

function compileRegExp(re: RegExp): RegExp {
  // `test` on a global or sticky RegExp advances `lastIndex`, so every other call would miss.
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

/**
 * Validates `propagateTo` once and compiles it to a matcher; throws a `TypeError` naming the
 * bad entry. A predicate that throws counts as "do not propagate" (the call itself goes on).
 */
export function compilePropagateTo(propagateTo: PropagateTo | undefined): PropagateToMatcher {
  if (propagateTo === undefined) return defaultMatcher;
  if (typeof propagateTo === 'function') {
    return (url) => {
      try {
        return propagateTo(url) === true;
      } catch {
        return false;
      }
    };
  }
  if (!Array.isArray(propagateTo)) {
    throw new TypeError('isotrace: propagateTo must be an array of origins and RegExps, or a function (url: URL) => boolean');
  }
  const origins = new Set<string>();
  const patterns: RegExp[] = [];
  propagateTo.forEach((entry: unknown, index) => {
    if (typeof entry === 'string') origins.add(compileOrigin(entry, index));
    else if (entry instanceof RegExp) patterns.push(compileRegExp(entry));
    else throw new TypeError(`isotrace: propagateTo[${index}] must be an origin string or a RegExp, got ${typeof entry}`);
  });
  return (url) => {
    if (origins.has(url.origin)) return true;
    for (const re of patterns) if (re.test(url.href)) return true;
    return false;
  };
}
