// Only for dependency-cruiser: apps/web/tsconfig.json's `"@/*": ["./src/*"]` path.
const path = require('node:path');

module.exports = { resolve: { alias: { '@': path.resolve(__dirname, '../../apps/web/src') } } };
