// Catalog ids of the face swap's own models. No runtime code: needs.ts (and through it the descriptor
// the API imports), schema.ts and models.ts (the entries) all take the ids from here.

export const RECOGNIZER_MODEL = 'arcface_w600k_r50';
export const OCCLUDER_MODEL = 'xseg_1';
export const PARSER_MODEL = 'bisenet_resnet_34';

/** The swappers the `swapper` option names (docs/models/face.md §5). */
export const SWAPPER_MODELS = [
  'inswapper_128',
  'hyperswap_1a_256',
  'hyperswap_1b_256',
  'hyperswap_1c_256',
  'ghost_1_256',
  'ghost_2_256',
  'ghost_3_256',
  'simswap_256',
  'simswap_unofficial_512',
] as const;
export type SwapperModel = (typeof SWAPPER_MODELS)[number];

/** inswapper_128, the swapper Visage had first (and the only one before the swapper option). */
export const SWAPPER_MODEL: SwapperModel = 'inswapper_128';

/**
 * `auto`'s order: the permissively licensed swappers, best first (ghost is the only permissive
 * family, Apache-2.0); without one of them installed, the others, best first.
 */
export const AUTO_SWAPPERS: readonly SwapperModel[] = ['ghost_3_256', 'ghost_2_256', 'ghost_1_256'];
export const AUTO_FALLBACK_SWAPPERS: readonly SwapperModel[] = [
  'hyperswap_1a_256',
  'hyperswap_1b_256',
  'hyperswap_1c_256',
  'simswap_unofficial_512',
  'simswap_256',
  'inswapper_128',
];

/** Embedding converters: turn an ArcFace w600k_r50 embedding into the space ghost / SimSwap expect. */
export const CONVERTER_MODELS = { ghost: 'crossface_ghost', simswap: 'crossface_simswap' } as const;

/** The restorers; the `restore` option names them by these ids. */
export const RESTORER_MODELS = [
  'gfpgan_1.4',
  'gfpgan_1.3',
  'gfpgan_1.2',
  'codeformer',
  'restoreformer_plus_plus',
  'gpen_bfr_256',
  'gpen_bfr_512',
  'gpen_bfr_1024',
  'gpen_bfr_2048',
] as const;
export type RestoreModel = (typeof RESTORER_MODELS)[number];

/** What the studio says about each swapper (docs/models/face.md §5): crop size, licence, speed class. */
export const SWAPPER_FACTS: Record<
  SwapperModel,
  { size: number; licence: string; commercialUse: boolean; speed: 'fast' | 'medium' | 'slow' }
> = {
  inswapper_128: { size: 128, licence: 'non-commercial', commercialUse: false, speed: 'fast' },
  hyperswap_1a_256: { size: 256, licence: 'ResearchRAIL', commercialUse: false, speed: 'medium' },
  hyperswap_1b_256: { size: 256, licence: 'ResearchRAIL', commercialUse: false, speed: 'medium' },
  hyperswap_1c_256: { size: 256, licence: 'ResearchRAIL', commercialUse: false, speed: 'medium' },
  ghost_1_256: { size: 256, licence: 'Apache-2.0', commercialUse: true, speed: 'medium' },
  ghost_2_256: { size: 256, licence: 'Apache-2.0', commercialUse: true, speed: 'medium' },
  ghost_3_256: { size: 256, licence: 'Apache-2.0', commercialUse: true, speed: 'slow' },
  simswap_256: { size: 256, licence: 'non-commercial', commercialUse: false, speed: 'medium' },
  simswap_unofficial_512: { size: 512, licence: 'non-commercial', commercialUse: false, speed: 'slow' },
};
