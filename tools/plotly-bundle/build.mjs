// Builds static/vendor/plotly-custom.min.js and static/vendor/plotly.css.
//
// The esbuild options mirror plotly.js' own esbuild-config.js (IIFE, global
// `Plotly`, es2016, same `define`s). That file cannot be required from the npm
// package (it needs tasks/, which is not published), and its plugins are not
// needed for this subset: no GLSL (no WebGL traces), no `stream` import, and
// the only CSS import (maplibre-gl.css, for `map` traces) is replaced by an
// empty module below.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'static', 'vendor');
const jsOut = join(outDir, 'plotly-custom.min.js');
const cssOut = join(outDir, 'plotly.css');
const require = createRequire(import.meta.url);
const plotlyVersion = require('plotly.js/package.json').version;

mkdirSync(outDir, { recursive: true });

const result = await build({
    entryPoints: [join(here, 'index.js')],
    outfile: jsOut,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    target: 'es2016',
    define: {
        global: 'window',
        'define.amd': 'false',
        'process.env.NODE_DEBUG': 'false'
    },
    // src/registry.js requires maplibre-gl.css only when a `map` trace is
    // registered; we register none, so drop it instead of inlining 65 KB.
    loader: { '.css': 'empty' },
    banner: {
        js: `/*! plotly.js v${plotlyVersion} custom bundle (core+scatter, bar, choropleth, locale id) | MIT | tools/plotly-bundle */`
    },
    metafile: true,
    logLevel: 'warning'
});

// Guard against an upgrade silently pulling in heavy/unwanted modules.
const inputs = Object.keys(result.metafile.inputs);
const unwanted = inputs.filter((p) => /node_modules\/(maplibre-gl|@plotly\/mapbox-gl|@plotly\/regl|regl-|gl-text|stream-browserify)\//.test(p) && !p.endsWith('.css'));
if (unwanted.length) {
    console.error('Unexpected modules in bundle:\n  ' + unwanted.join('\n  '));
    process.exit(1);
}

// plotly.css: the exact rules that lib/core would otherwise inject at runtime
// (node_modules/plotly.js/build/plotcss.js). This equals dist/plotly.css minus
// its mapbox-only rules. Link it with
//   <link id="plotly.js-style-global" class="no-inline-styles" rel="stylesheet" href=".../plotly.css">
// before the script so plotly skips inline <style> injection (strict CSP).
const plotcssSrc = readFileSync(require.resolve('plotly.js/build/plotcss.js'), 'utf8');
const rules = [];
new Function('require', plotcssSrc)(() => ({
    addStyleRule: (selector, style) => rules.push(`${selector}{${style}}`)
}));
if (rules.length < 40) {
    console.error(`plotcss.js yielded only ${rules.length} rules; its format changed?`);
    process.exit(1);
}
writeFileSync(cssOut, `/*! plotly.js v${plotlyVersion} styles | MIT */\n${rules.join('\n')}\n`);

for (const f of [jsOut, cssOut]) {
    console.log(`${relative(process.cwd(), f)}  ${statSync(f).size} bytes`);
}
console.log(`plotly.js ${plotlyVersion}, ${inputs.length} modules bundled`);
