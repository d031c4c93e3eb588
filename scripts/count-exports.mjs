// The names each built entry exports, read from its .d.ts with the TypeScript compiler API
// (values: functions, classes, constants, enums; types: type-only exports). Run after a build:
//
//   node scripts/count-exports.mjs          a table of counts per entry
//   node scripts/count-exports.mjs --json   { entry: { values: [...], types: [...] } }
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = ['index', 'node', 'browser', 'protocol', 'otel', 'express', 'hono', 'connect'];

/** @param {string} typesDir */
export function entryExports(typesDir = path.join(root, 'dist/types')) {
  const files = ENTRIES.map((e) => path.join(typesDir, `${e}.d.ts`)).filter((f) => existsSync(f));
  const program = ts.createProgram(files, {
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  });
  const checker = program.getTypeChecker();
  /** @type {Record<string, { values: string[]; types: string[] }>} */
  const out = {};
  for (const file of files) {
    const sf = program.getSourceFile(file);
    const mod = sf && checker.getSymbolAtLocation(sf);
    const values = [];
    const types = [];
    for (const s of mod ? checker.getExportsOfModule(mod) : []) {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      (target.flags & ts.SymbolFlags.Value ? values : types).push(s.name);
    }
    out[path.basename(file, '.d.ts')] = { values: values.sort(), types: types.sort() };
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const all = entryExports();
  if (!Object.keys(all).length) {
    console.error('count-exports: no dist/types/*.d.ts: run `npm run build` first');
    process.exit(2);
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(all, null, 2));
  else
    for (const [entry, { values, types }] of Object.entries(all))
      console.log(`${entry.padEnd(9)} ${String(values.length + types.length).padStart(4)} exports: ${values.length} values, ${types.length} types`);
}
