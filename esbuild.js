// Builds the bundles: the extension (Node, CommonJS, `vscode` left to the host), the memory map
// webview (browser, IIFE), the `kmodlab` CLI (Node, CommonJS), the kernel worker thread the
// extension starts (Node), and the web build of the extension and its kernel Web Worker (browser).
// esbuild strips types without checking them; `npm run typecheck` runs tsc separately.
//
//   node esbuild.js               one build with sourcemaps
//   node esbuild.js --production  minified, no sourcemaps (for the VSIX)
//   node esbuild.js --watch       rebuild on change; the log lines suit VS Code's $esbuild-watch
//                                 problem matcher (connor4312.esbuild-problem-matchers)
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {Record<string, import('esbuild').BuildOptions>} */
const ENTRIES = {
  extension: {
    entryPoints: ['src/ui/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  webview: {
    entryPoints: ['media/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  cli: {
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // The emulated kernel in a Node worker thread, started by the desktop extension (src/ui/extension.ts).
  kernelWorker: {
    entryPoints: ['src/ui/kernelWorker.ts'],
    outfile: 'dist/kernelWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // The debugger's module runner in a Node worker thread, one per debug session (src/ui/debug/register.ts).
  debugWorker: {
    entryPoints: ['src/ui/debugWorker.ts'],
    outfile: 'dist/debugWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // The web extension (package.json `browser`) and its kernel in a Web Worker, for vscode.dev.
  webExtension: {
    entryPoints: ['src/ui/web/extension.ts'],
    outfile: 'dist/web/extension.js',
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
  },
  webKernelWorker: {
    entryPoints: ['src/ui/web/kernelWorker.ts'],
    outfile: 'dist/web/kernelWorker.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
};

/**
 * Reports each build the way the $esbuild-watch problem matcher reads it: "[watch] build started"
 * and "[watch] build finished" around a rebuild, and each problem as "✘ [ERROR] text" (or
 * "▲ [WARNING] text") followed by "    file:line:column:". One-shot builds drop the "[watch]"
 * markers and print one line per entry.
 * @param {string} name
 * @returns {import('esbuild').Plugin}
 */
function problemMatcherPlugin(name) {
  return {
    name: 'problem-matcher',
    setup(build) {
      build.onStart(() => {
        if (watch) console.log(`[watch] build started (${name})`);
      });
      build.onEnd((result) => {
        const report = (/** @type {string} */ mark, /** @type {import('esbuild').Message[]} */ messages) => {
          for (const { text, location } of messages) {
            console.error(`${mark} ${text}`);
            if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
          }
        };
        report('▲ [WARNING]', result.warnings);
        report('✘ [ERROR]', result.errors);
        if (watch) console.log(`[watch] build finished (${name})`);
        else {
          const out = /** @type {string} */ (ENTRIES[name].outfile);
          console.log(result.errors.length ? `${name}: build failed` : `${name}: ${out}${production ? ' (production)' : ''}`);
        }
      });
    },
  };
}

async function main() {
  // A one-shot build starts from an empty dist/, so a production build leaves no stale sourcemaps
  // and a failed entry leaves no stale bundle behind.
  if (!watch) fs.rmSync(path.join(__dirname, 'dist'), { recursive: true, force: true });
  const contexts = await Promise.all(
    Object.entries(ENTRIES).map(([name, options]) =>
      esbuild.context({
        ...options,
        // Paths in ENTRIES are relative to this file, wherever the build is started from.
        absWorkingDir: __dirname,
        bundle: true,
        minify: production,
        sourcemap: !production,
        sourcesContent: false,
        // The plugin does the reporting; esbuild's own log would print every error twice.
        logLevel: 'silent',
        plugins: [problemMatcherPlugin(name)],
      }),
    ),
  );
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  const results = await Promise.allSettled(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
  if (results.some((r) => r.status === 'rejected')) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
