// Catalog ids of the face swap's own models. No runtime code: needs.ts (and through it the descriptor
// the API imports) and models.ts (the entries) both take the ids from here.

export const RECOGNIZER_MODEL = 'arcface_w600k_r50';
export const SWAPPER_MODEL = 'inswapper_128';
export const OCCLUDER_MODEL = 'xseg_1';
export const PARSER_MODEL = 'bisenet_resnet_34';
/** The restorers; the `restore` option names them by these ids. */
export const RESTORER_MODELS = { gfpgan: 'gfpgan_1.4', codeformer: 'codeformer' } as const;

export type RestoreModel = (typeof RESTORER_MODELS)[keyof typeof RESTORER_MODELS];
