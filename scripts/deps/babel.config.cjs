// Only for dependency-cruiser (.dependency-cruiser.cjs), which hands Babel no file name, so one
// setting parses every file: TypeScript with JSX (no `<T>(x) => x` generic arrows in .ts files).
module.exports = {
  presets: [['@babel/preset-typescript', { isTSX: true, allExtensions: true }]],
};
