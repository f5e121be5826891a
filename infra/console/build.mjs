// Builds the console into dist/: index.html, app.css, app.js (+ the sign-in chunk, loaded only for OIDC), config.json.
// Prints each file's gzipped size and the total, which the closing report quotes; 150 KB is the budget.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const out = 'dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: 'src/main.jsx' },
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  chunkNames: 'chunk-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/index.html', join(out, 'index.html'));
copyFileSync('src/app.css', join(out, 'app.css'));
// The default configuration is the local runtime's (same origin, development sign-in); AWS deploys its own.
writeFileSync(join(out, 'config.json'), JSON.stringify({ auth: 'dev', apiUrl: '' }, null, 2) + '\n');

let total = 0;
for (const f of readdirSync(out).sort()) {
  const raw = readFileSync(join(out, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  console.log(`console: ${f.padEnd(24)} ${String(statSync(join(out, f)).size).padStart(8)} B  ${String(gz).padStart(7)} B gzipped`);
}
console.log(`console: total ${(total / 1024).toFixed(1)} KB gzipped (budget 150 KB)`);
