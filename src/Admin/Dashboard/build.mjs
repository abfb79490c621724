// Bundles the dashboard into dist/: one script, one stylesheet, the page. Run by `npm run build`
// (Admin.csproj runs it before every build whose inputs changed). Nothing is fetched at run time.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

const outdir = 'dist';
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { app: 'src/main.jsx' },
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  outdir,
  logLevel: 'warning',
});
await copyFile('src/index.html', `${outdir}/index.html`);
