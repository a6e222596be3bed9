// Turns a plugin's input schema (zod → JSON Schema, input side) into the fields of its form.
// Pure, so it is unit-tested without a browser.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  title?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  /** From zod's `.meta({ accept: [...] })`: which media an asset field takes. */
  accept?: MediaKind[];
  /** `.meta({ group, advanced, when })`: the form section, folded away, shown only for some choices. */
  group?: string;
  advanced?: boolean;
  when?: Record<string, unknown[]>;
  /** `.meta({ reroll: true })`: a number the user may draw at random (a seed). */
  reroll?: boolean;
  /** `.meta({ optionLabels: { value: 'Label' } })`: how an enum's values are shown (default: humanized). */
  optionLabels?: Record<string, string>;
  /** `.meta({ widget })`: a purpose-built control instead of the one its type gives ('face-map'). */
  widget?: string;
}

export type MediaKind = 'image' | 'video';

interface Common {
  name: string;
  label: string;
  description?: string;
  required: boolean;
  /** The options section it belongs to (null: the plugin did not group its options). */
  group: string | null;
  /** Folded under "More options" in its section. */
  advanced: boolean;
  /** Shown only while each named field holds one of the listed values. */
  when: Record<string, unknown[]> | null;
}

export type FormField =
  | (Common & { kind: 'asset'; multiple: boolean; minItems: number; maxItems: number; accept: MediaKind[] })
  | (Common & { kind: 'enum'; options: string[]; optionLabels: Record<string, string>; default?: string })
  | (Common & {
      kind: 'number';
      integer: boolean;
      min?: number;
      max?: number;
      /** Both ends are known and close enough for a slider to be useful. */
      slider: boolean;
      /** Offer a button that draws a random value in [min, max] (a seed). */
      reroll: boolean;
      default?: number;
    })
  | (Common & { kind: 'boolean'; default: boolean })
  | (Common & FaceMapWidget & { kind: 'face-map'; maxItems: number })
  | (Common & { kind: 'text'; multiline: boolean; minLength?: number; maxLength?: number; default?: string });

/**
 * The fields a face map (`widget: 'face-map'`) works with: the target whose faces it lists, the source
 * photos it offers for each, and the video frame the faces are picked on (the face swap's names).
 */
export interface FaceMapWidget {
  targetField: string;
  sourceField: string;
  /** null when the plugin has no such field (the faces are then always those of frame 0). */
  frameField: string | null;
}

export const FACE_MAP_FIELDS = {
  targetField: 'target',
  sourceField: 'source',
  frameField: 'mapFrame',
} as const;

/** One entry of a face map's value: a target face's box and the source photo that goes there. */
export interface FaceMapEntry {
  box: [number, number, number, number];
  source: string;
}

/** Past this a range is "unbounded" for a slider (zod's int() max is 2^53 − 1). */
const SLIDER_SPAN_LIMIT = 1e6;

/** "stepMs" → "Step ms", "face_enhancer" → "Face enhancer". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A nullable/optional union collapses to its non-null member. */
function unwrap(schema: JsonSchema): JsonSchema {
  const members = schema.anyOf?.filter((s) => s.type !== 'null');
  if (members?.length === 1 && members[0]) return { ...members[0], ...schema, anyOf: undefined };
  return schema;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

/** What an asset field accepts: its `accept` meta, else a guess from its name and help text. */
function acceptedMedia(name: string, schema: JsonSchema): MediaKind[] {
  if (schema.accept?.length) return schema.accept;
  const text = `${name} ${schema.description ?? ''}`.toLowerCase();
  const video = /video|driv|clip|motion/.test(text);
  const image = /image|photo|picture|face|portrait|reference/.test(text);
  if (video && !image) return ['video'];
  if (image && !video) return ['image'];
  return ['image', 'video'];
}

function field(name: string, raw: JsonSchema, required: boolean, assetFields: readonly string[]): FormField {
  const schema = unwrap(raw);
  const common: Common = {
    name,
    label: schema.title ?? humanize(name),
    description: schema.description,
    required,
    group: typeof schema.group === 'string' ? schema.group : null,
    advanced: schema.advanced === true,
    when: schema.when ?? null,
  };
  const type = typeOf(schema);
  if (schema.widget === 'face-map') {
    return {
      ...common,
      kind: 'face-map',
      ...FACE_MAP_FIELDS,
      maxItems: schema.maxItems ?? 20,
    };
  }
  if (assetFields.includes(name)) {
    const multiple = type === 'array';
    const itemSchema = multiple ? { ...(schema.items ?? {}), description: schema.description } : schema;
    return {
      ...common,
      kind: 'asset',
      multiple,
      minItems: multiple ? (schema.minItems ?? 0) : required ? 1 : 0,
      maxItems: multiple ? (schema.maxItems ?? 8) : 1,
      accept: acceptedMedia(name, itemSchema),
    };
  }
  if (schema.enum?.every((v) => typeof v === 'string')) {
    return {
      ...common,
      kind: 'enum',
      options: schema.enum as string[],
      optionLabels: schema.optionLabels ?? {},
      default: typeof schema.default === 'string' ? schema.default : undefined,
    };
  }
  if (type === 'integer' || type === 'number') {
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum ?? schema.exclusiveMaximum;
    const bounded = min !== undefined && max !== undefined && max - min <= SLIDER_SPAN_LIMIT;
    return {
      ...common,
      kind: 'number',
      integer: type === 'integer',
      min,
      max: max !== undefined && max < Number.MAX_SAFE_INTEGER ? max : undefined,
      slider: bounded && schema.reroll !== true,
      reroll: schema.reroll === true && type === 'integer' && min !== undefined && max !== undefined,
      default: typeof schema.default === 'number' ? schema.default : undefined,
    };
  }
  if (type === 'boolean') {
    return { ...common, kind: 'boolean', default: schema.default === true };
  }
  return {
    ...common,
    kind: 'text',
    multiline: (schema.maxLength ?? 0) > 200 || /prompt/i.test(name),
    minLength: schema.minLength,
    maxLength: schema.maxLength,
    default: typeof schema.default === 'string' ? schema.default : undefined,
  };
}

/** The form's fields, in the schema's order. */
export function formFields(schema: JsonSchema, assetFields: readonly string[]): FormField[] {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    field(name, property, required.has(name), assetFields),
  );
  return fields.map((f) => (f.kind === 'face-map' ? withFaceMapFields(f, fields) : f));
}

/** A face map needs its target and source asset fields; its frame field is optional. */
function withFaceMapFields(
  f: Extract<FormField, { kind: 'face-map' }>,
  fields: readonly FormField[],
): FormField {
  const kindOf = (name: string | null) => fields.find((other) => other.name === name)?.kind;
  for (const name of [f.targetField, f.sourceField]) {
    if (kindOf(name) !== 'asset')
      throw new Error(`The face map "${f.name}" needs an asset field "${name}" in the same form`);
  }
  return { ...f, frameField: kindOf(f.frameField) === 'number' ? f.frameField : null };
}

export type FormValues = Record<string, unknown>;

/** Whether the field applies to the current choices (its `when`); a hidden field keeps its default. */
export function isShown(field: FormField, values: FormValues): boolean {
  if (!field.when) return true;
  return Object.entries(field.when).every(([name, allowed]) => allowed.includes(values[name]));
}

export type OptionFieldDef = Exclude<FormField, { kind: 'asset' }>;
export type AssetFieldDef = Extract<FormField, { kind: 'asset' }>;

export interface FormSection {
  title: string;
  fields: OptionFieldDef[];
  /** Shown on request ("More options"). */
  advanced: OptionFieldDef[];
}

/** The options (not the assets) in sections by group, in the order groups first appear in the schema. */
export function formSections(fields: readonly FormField[]): FormSection[] {
  const sections = new Map<string, FormSection>();
  for (const f of fields) {
    if (f.kind === 'asset') continue;
    const title = f.group ?? 'Options';
    let section = sections.get(title);
    if (!section) {
      section = { title, fields: [], advanced: [] };
      sections.set(title, section);
    }
    (f.advanced ? section.advanced : section.fields).push(f);
  }
  return [...sections.values()];
}

/** Starting values: each field's default; asset fields start empty. */
export function initialValues(fields: readonly FormField[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    if (f.kind === 'asset' || f.kind === 'face-map') values[f.name] = [];
    else if (f.kind === 'boolean') values[f.name] = f.default;
    else if (f.default !== undefined) values[f.name] = f.default;
  }
  return values;
}

/** A message per field that the browser can already tell is wrong (the server checks again). */
export function validate(fields: readonly FormField[], values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    if (!isShown(f, values)) continue;
    const value = values[f.name];
    const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
    if (f.kind === 'asset') {
      const count = Array.isArray(value) ? value.length : 0;
      if (count < f.minItems)
        errors[f.name] = f.multiple
          ? `Add at least ${f.minItems} file${f.minItems === 1 ? '' : 's'}`
          : 'Add a file';
      else if (count > f.maxItems) errors[f.name] = `At most ${f.maxItems} files`;
      continue;
    }
    if (f.kind === 'face-map') {
      // The job refuses an empty map too: say so before it is sent.
      if (!Array.isArray(value) || value.length === 0)
        errors[f.name] = 'Pick a source photo for at least one face';
      else if (value.length > f.maxItems) errors[f.name] = `At most ${f.maxItems} faces`;
      continue;
    }
    if (empty) {
      if (f.required && f.kind !== 'boolean') errors[f.name] = 'Required';
      continue;
    }
    if (f.kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) errors[f.name] = 'Enter a number';
      else if (f.integer && !Number.isInteger(n)) errors[f.name] = 'Enter a whole number';
      else if (f.min !== undefined && n < f.min) errors[f.name] = `At least ${f.min}`;
      else if (f.max !== undefined && n > f.max) errors[f.name] = `At most ${f.max}`;
    }
    if (f.kind === 'text' && typeof value === 'string') {
      if (f.minLength !== undefined && value.length < f.minLength)
        errors[f.name] = `At least ${f.minLength} characters`;
      if (f.maxLength !== undefined && value.length > f.maxLength)
        errors[f.name] = `At most ${f.maxLength} characters`;
    }
  }
  return errors;
}

/**
 * The job input: empty optional fields and fields hidden by the current choices left out (the
 * server fills defaults), numbers as numbers, single assets as one id.
 */
export function toInput(fields: readonly FormField[], values: FormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const f of fields) {
    if (!isShown(f, values)) continue;
    const value = values[f.name];
    if (f.kind === 'asset') {
      const ids = Array.isArray(value) ? (value as string[]) : [];
      if (f.multiple) {
        if (ids.length > 0 || f.required) input[f.name] = ids;
      } else if (ids[0]) input[f.name] = ids[0];
      continue;
    }
    if (value === undefined || value === '') continue;
    input[f.name] = f.kind === 'number' ? Number(value) : value;
  }
  return input;
}
