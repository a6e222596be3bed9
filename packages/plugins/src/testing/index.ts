// Test helpers for the plugins (fixture models, clips), used by their tests, benchmarks and the apps' tests.
export { astronautCameraFrames } from './camera.ts';
export { ASTRONAUT, writeAstronautClip } from './clips.ts';
export {
  FACESWAP_FIXTURE_SPECS,
  fixtureEmap,
  installFixtureModels,
  LP_FIXTURE_SPECS,
  writeFixtureModels,
} from './fixtures.ts';
export { RESTORER_FIXTURE_SPECS } from './restorer-fixtures.ts';
export { SWAPPER_FIXTURE_SPECS } from './swapper-fixtures.ts';
export {
  buildWanFixture,
  installWanFixtureModels,
  UMT5_TINY_TOKENIZER,
  WAN_FIXTURE_IDS,
  type WanFixtureId,
  type WanFixturePart,
  wanFixtureCacheSlot,
  wanFixtureContract,
  writeWanFixtureModels,
} from './wan-fixtures.ts';
