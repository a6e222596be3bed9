export { LP_FIXTURE_SPECS } from '../../src/testing/index.ts';
