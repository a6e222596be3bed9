// The shape of a model catalog entry. The entries are data typed by hand from the reference notes
// (each plugin's models.ts), so the assembled catalog is checked with zod: a typo in a checksum or a
// URL fails at start-up, not halfway through a 500 MB download.
import { z } from 'zod';
import { SIZE_SUFFIX } from './size-record.ts';

export const PRECISIONS = ['fp32', 'fp16'] as const;
export const PROVIDERS = ['cuda', 'coreml', 'cpu'] as const;
/** Five-point alignment templates (docs/models/face.md §4.2); the points live in image/transform.ts. */
export const FACE_TEMPLATES = ['arcface_112', 'arcface_112_v1', 'arcface_128', 'ffhq_512'] as const;

const modelId = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lowercase letters, digits, "_", "." or "-"');

const sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
  .nullable()
  .describe('null when no source gives it; never invented');
const bytes = z.number().int().positive().nullable();
const fileName = z
  .string()
  .regex(/^[\w.-]+$/, 'a plain file name (letters, digits, "_", "." or "-")')
  .refine(
    (name) => !name.endsWith('.part') && !name.endsWith(SIZE_SUFFIX),
    '".part" and ".size" are reserved for the store (downloads in progress, recorded sizes)',
  );

/**
 * A file of weights beside the `.onnx` (ONNX external data: models over 2 GB must keep their weights
 * outside the protobuf, docs/models/wan.md §9.2). `file` is the name the graph records as the tensors'
 * `location`: ONNX Runtime looks for that name in the model file's folder, so the store keeps it there.
 */
export const externalDataFileSchema = z.object({
  file: fileName,
  /** Mirrors, tried in order; empty for an export-required model. */
  urls: z.array(z.url({ protocol: /^https?$/ })),
  sha256,
  bytes,
});

export const modelVariantSchema = z.object({
  precision: z.enum(PRECISIONS),
  file: fileName,
  /** Mirrors, tried in order. Empty when no public file exists (see `availability`). */
  urls: z.array(z.url({ protocol: /^https?$/ })),
  sha256,
  bytes,
  /** Memory once loaded, when it differs from the entry's estimate (e.g. fp16 halves it). */
  residentBytes: bytes.optional(),
  /** The data files the `.onnx` keeps its weights in, when it uses external data. */
  externalData: z.array(externalDataFileSchema).optional(),
  /**
   * For models shipped inside an npm dependency: the module path of the file
   * ("<package>/<path inside it>"), resolved where it is installed instead of the models directory.
   */
  bundled: z
    .string()
    .regex(/^[\w.@/-]+$/)
    .optional(),
});

const perChannel = z.union([z.number(), z.tuple([z.number(), z.number(), z.number()]).readonly()]);
const nonZero = (v: number | readonly number[]) => (typeof v === 'number' ? [v] : v).every((x) => x !== 0);

/**
 * How an image becomes the model's input tensor, for models that take one (docs/models/*.md give each
 * model's values; the code that runs the model reads them from here). Pixels x in 0..255 become
 * v = (x·scale − mean)/std per channel, in `channelOrder` — the options of the tensor helpers
 * (`toCHW`/`toHWCFloat`/`fromCHW`), so `normalize` is passed to them as is.
 */
export const preprocessSchema = z.strictObject({
  /** Side of the square input, in pixels (a model with dynamic H/W: the size Visage feeds by default). */
  size: z.number().int().positive(),
  /** 'nchw' planar (most models), 'nhwc' interleaved (BlazeFace, XSeg). */
  layout: z.enum(['nchw', 'nhwc']),
  normalize: z.strictObject({
    /** 'bgr' for models trained on OpenCV frames (docs/models/face.md §1.2). */
    channelOrder: z.enum(['rgb', 'bgr']),
    scale: z.number().refine((v) => v !== 0, 'must not be 0'),
    mean: perChannel,
    std: perChannel.refine(nonZero, 'must not be 0'),
  }),
  /** The five-point template the face is aligned onto, at `size`² (aligned crops only). */
  template: z.enum(FACE_TEMPLATES).optional(),
});

export const licenceSchema = z.object({
  name: z.string().min(1),
  commercialUse: z.boolean(),
  url: z.url(),
});

export const modelEntrySchema = z
  .object({
    id: modelId,
    title: z.string().min(1),
    /** The plugin that uses it ('shared' when several do), for grouping in the UI and `models list`. */
    plugin: modelId,
    /** The default variant's file, URLs, checksum and size (= variants[0]). */
    file: fileName,
    urls: z.array(z.url({ protocol: /^https?$/ })),
    sha256,
    bytes,
    /** Estimated memory once loaded; null = use the file size. */
    residentBytes: bytes,
    licence: licenceSchema,
    variants: z.array(modelVariantSchema).min(1),
    /** Execution providers the model can run on; the device's chain is filtered by this. */
    providers: z.array(z.enum(PROVIDERS)).min(1),
    /**
     * 'export-required': no public ONNX file exists; the user exports one and imports it.
     * 'bundled': the file ships with an npm dependency, so it works before any download.
     */
    availability: z.enum(['download', 'export-required', 'bundled']),
    /** Anything a user must know to get or trust the file. */
    note: z.string().optional(),
    /** Input size, normalisation, channel order and alignment template, for models fed an image. */
    preprocess: preprocessSchema.optional(),
  })
  .superRefine((entry, ctx) => {
    const first = entry.variants[0];
    if (
      first &&
      (first.file !== entry.file ||
        first.sha256 !== entry.sha256 ||
        first.bytes !== entry.bytes ||
        first.urls.join() !== entry.urls.join())
    ) {
      ctx.addIssue({ code: 'custom', message: 'file/urls/sha256/bytes must equal the first variant' });
    }
    const precisions = entry.variants.map((v) => v.precision);
    if (new Set(precisions).size !== precisions.length) {
      ctx.addIssue({ code: 'custom', message: `duplicate precision in variants: ${precisions.join(', ')}` });
    }
    const files = entry.variants.map((v) => v.file);
    if (new Set(files).size !== files.length) {
      ctx.addIssue({ code: 'custom', message: 'each variant needs its own file name' });
    }
    // Every file lives in the model's one folder: data files may not share a name with anything.
    const allFiles = entry.variants.flatMap((v) => [v.file, ...(v.externalData ?? []).map((d) => d.file)]);
    const repeated = allFiles.filter((f, i) => allFiles.indexOf(f) !== i);
    if (repeated.length > 0 && new Set(files).size === files.length) {
      ctx.addIssue({
        code: 'custom',
        message: `file names used twice: ${[...new Set(repeated)].join(', ')}`,
      });
    }
    const downloadable = entry.variants.every(
      (v) => v.urls.length > 0 && (v.externalData ?? []).every((d) => d.urls.length > 0),
    );
    if (entry.availability === 'download' && !downloadable) {
      ctx.addIssue({
        code: 'custom',
        message: 'a downloadable model needs at least one URL per variant and per data file',
      });
    }
    if (entry.variants.some((v) => v.bundled !== undefined && v.externalData?.length)) {
      ctx.addIssue({ code: 'custom', message: 'a bundled model cannot have external data files' });
    }
    const bundled = entry.variants.every((v) => v.bundled !== undefined);
    if ((entry.availability === 'bundled') !== bundled) {
      ctx.addIssue({
        code: 'custom',
        message: 'a bundled model needs `bundled` on every variant, and only it',
      });
    }
    if (entry.availability === 'export-required' && !entry.note) {
      ctx.addIssue({ code: 'custom', message: 'an export-required model needs a note saying how to get it' });
    }
  });

export const modelCatalogSchema = z.array(modelEntrySchema).superRefine((entries, ctx) => {
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    if (seen.has(entry.id)) {
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate model id "${entry.id}"` });
    }
    seen.add(entry.id);
  }
});

export type Precision = (typeof PRECISIONS)[number];
/** A plugin id, or 'shared' for models several plugins use. */
export type ModelPlugin = string;
export type FaceTemplate = (typeof FACE_TEMPLATES)[number];
export type Preprocess = z.infer<typeof preprocessSchema>;
export type ModelVariant = z.infer<typeof modelVariantSchema>;
export type ExternalDataFile = z.infer<typeof externalDataFileSchema>;
export type ModelLicence = z.infer<typeof licenceSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type ModelCatalog = readonly ModelEntry[];

/** Validates a catalog, with a message naming every bad field of every bad entry. */
export function parseCatalog(input: unknown, name = 'model catalog'): ModelCatalog {
  const result = modelCatalogSchema.safeParse(input);
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.map((issue) => {
    const [index, ...rest] = issue.path;
    const id =
      typeof index === 'number' && Array.isArray(input)
        ? ((input[index] as { id?: unknown } | undefined)?.id ?? `#${index}`)
        : '';
    return `${String(id)}${rest.length ? `.${rest.join('.')}` : ''}: ${issue.message}`;
  });
  throw new Error(`Invalid ${name}: ${problems.join('; ')}`);
}
