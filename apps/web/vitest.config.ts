import path from 'node:path';
import { visageTestConfig } from '../../vitest.shared.ts';

export default visageTestConfig(import.meta.dirname, {
  resolve: { alias: { '@': path.join(import.meta.dirname, 'src') } },
});
