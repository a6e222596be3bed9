// The import rules of the monorepo (docs/architecture.md §2.2), checked by `pnpm deps:check` inside
// `npm test`: a back-edge between packages, or web/api reaching the inference runtime, fails the suite.
// `pnpm deps:graph` prints the package graph drawn in docs/architecture.md §2.2.
/** Paths of one workspace package, as dependency-cruiser resolves them (real paths, not symlinks). */
const pkg = (name) => `^(packages|apps)/${name}/`;

/** Which workspace packages each one may import; anything else is a back-edge. */
const allowed = {
  ffmpeg: [],
  device: [],
  db: ['ffmpeg'],
  inference: ['device', 'ffmpeg'],
  plugins: ['inference', 'device', 'ffmpeg'],
  api: ['db', 'plugins'],
  worker: ['db', 'plugins', 'inference', 'device', 'ffmpeg'],
  web: ['api', 'db', 'plugins'],
  scripts: ['api'],
};
const all = Object.keys(allowed);

module.exports = {
  forbidden: [
    ...Object.entries(allowed).map(([name, may]) => ({
      name: `${name}-imports-only-${may.join('-') || 'nothing'}`,
      comment: `${name} may import only ${may.join(', ') || 'no other workspace package'} (docs/architecture.md §2.2)`,
      severity: 'error',
      from: { path: name === 'scripts' ? '^scripts/' : pkg(name) },
      to: {
        path: `^(packages|apps)/(${all.filter((other) => other !== name && !may.includes(other)).join('|')})/`,
      },
    })),
    {
      name: 'web-and-api-never-load-inference',
      comment:
        'The web app runs no models: nothing it loads may reach the inference package or onnxruntime-node, ' +
        'even through the plugins (only their runtime-free descriptors and model sets)',
      severity: 'error',
      from: { path: '^(apps/web|packages/api)/src/' },
      to: { path: `${pkg('inference')}|node_modules/.*/onnxruntime-node/`, reachable: true },
    },
    {
      name: 'no-unresolvable-imports',
      comment:
        'An import of a package the importer does not declare (pnpm does not link it) or of a missing file',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make load order fragile and hide where a concern lives',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.next', '/generated/', '(^|/)test-results/'] },
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; Babel strips the types
    // (type-only imports vanish with them: they load nothing at run time).
    // apps/web's `@/*` import path, as a webpack-style alias (reading tsconfig.json needs TypeScript's API).
    webpackConfig: { fileName: 'scripts/deps/resolve.config.cjs' },
    babelConfig: { fileName: 'scripts/deps/babel.config.cjs' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
