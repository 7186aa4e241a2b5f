// Builds the viewer's front end into the Python package (src/h5pure/viewer/static/).
// Relative asset URLs ("./assets/..."): the server mounts the page below a random token.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The npm package a bundled module file belongs to (its nearest package.json with a name)
function packageOf(file, cache) {
  let dir = path.dirname(file);
  while (dir.includes('node_modules')) {
    if (cache.has(dir)) return cache.get(dir);
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (pkg.name && pkg.version) {
        const info = { dir, name: pkg.name, version: pkg.version, license: pkg.license };
        cache.set(dir, info);
        return info;
      }
    }
    dir = path.dirname(dir);
  }
  return null;
}

function licenceText(dir) {
  const names = fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f));
  return names.map((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim()).join('\n\n');
}

// Writes THIRD_PARTY_LICENSES.txt: every npm package with code in the bundle, its
// version, its declared licence and the licence text it ships.
function thirdPartyLicences() {
  return {
    name: 'h5pure-third-party-licences',
    generateBundle(_options, bundle) {
      const cache = new Map();
      const packages = new Map();
      for (const chunk of Object.values(bundle)) {
        for (const id of Object.keys(chunk.modules || {})) {
          const file = id.replace(/^\0/, '').split('?')[0];
          const pkg = packageOf(file, cache);
          if (pkg) packages.set(`${pkg.name}@${pkg.version}`, pkg);
        }
      }
      const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
      const parts = [
        'Third-party software in the h5pure viewer\'s front end (h5pure/viewer/static/assets),',
        'bundled from npm by Vite when the h5pure package was built.',
        '',
        ...sorted.map((p) => `${p.name} ${p.version}: ${p.license || 'see below'}`),
      ];
      for (const p of sorted) {
        parts.push('', '='.repeat(78), `${p.name} ${p.version} (${p.license || 'unknown'})`, '');
        parts.push(licenceText(p.dir) || `(no licence file shipped; declared: ${p.license})`);
      }
      this.emitFile({
        type: 'asset',
        fileName: 'THIRD_PARTY_LICENSES.txt',
        source: `${parts.join('\n')}\n`,
      });
    },
  };
}

// @h5web/lib (H5Web's visualisation components) comes with @h5web/app, at the exact
// version the app was built with; it is resolved from the app's directory rather than
// declared again (a second declaration drags in its peers' peers).
const require = createRequire(import.meta.url);
const appDir = path.dirname(path.dirname(require.resolve('@h5web/app')));
const h5webLib = require.resolve('@h5web/lib', { paths: [appDir] });

export default defineConfig({
  base: './',
  plugins: [react(), thirdPartyLicences()],
  resolve: { alias: { '@h5web/lib': h5webLib } },
  build: {
    outDir: '../src/h5pure/viewer/static',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
