import { visageTestConfig } from '../../vitest.shared.ts';

export default visageTestConfig(import.meta.dirname);
