import { describe, expect, it } from 'vitest';
import {
  formFields,
  formSections,
  humanize,
  initialValues,
  isShown,
  type JsonSchema,
  toInput,
  validate,
} from '../src/lib/form-fields.ts';

const uuid = { type: 'string', format: 'uuid' } as const;
const schema: JsonSchema = {
  type: 'object',
  properties: {
    source: { type: 'array', items: { ...uuid }, minItems: 1, maxItems: 4, description: 'Face photos' },
    target: { ...uuid, description: 'The image or video whose faces are replaced.' },
    mode: { type: 'string', enum: ['all', 'largest'], default: 'largest' },
    strength: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'How strong' },
    failAtStep: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    enhance: { type: 'boolean', default: true },
    prompt: { type: 'string', maxLength: 500 },
  },
  required: ['source', 'target', 'prompt'],
};

describe('formFields', () => {
  const fields = formFields(schema, ['source', 'target']);
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));

  it('should keep the schema order and turn each property into the right control', () => {
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['source', 'asset'],
      ['target', 'asset'],
      ['mode', 'enum'],
      ['strength', 'number'],
      ['failAtStep', 'number'],
      ['enhance', 'boolean'],
      ['prompt', 'text'],
    ]);
  });

  it('should read asset counts and guess accepted media from the help text', () => {
    expect(byName.source).toMatchObject({ multiple: true, minItems: 1, maxItems: 4, accept: ['image'] });
    expect(byName.target).toMatchObject({ multiple: false, minItems: 1, accept: ['image', 'video'] });
  });

  it('should offer a slider only for a bounded range, and a textarea for long text', () => {
    expect(byName.strength).toMatchObject({ slider: true, min: 0, max: 1, default: 0.5 });
    expect(byName.failAtStep).toMatchObject({ slider: false, integer: true, max: undefined });
    expect(byName.prompt).toMatchObject({ multiline: true, required: true });
  });

  it('should start from defaults and build the job input without empty optional fields', () => {
    const values = {
      ...initialValues(fields),
      source: ['a', 'b'],
      target: ['t'],
      prompt: 'hi',
      failAtStep: '',
    };
    expect(toInput(fields, values)).toEqual({
      source: ['a', 'b'],
      target: 't',
      mode: 'largest',
      strength: 0.5,
      enhance: true,
      prompt: 'hi',
    });
  });

  it('should name what is missing or out of range', () => {
    const values = { ...initialValues(fields), strength: '3', failAtStep: '1.5' };
    expect(validate(fields, values)).toEqual({
      source: 'Add at least 1 file',
      target: 'Add a file',
      strength: 'At most 1',
      failAtStep: 'Enter a whole number',
      prompt: 'Required',
    });
  });
});

describe('sections and conditions', () => {
  // As zod writes `.meta({ group, advanced, when })` into JSON Schema.
  const grouped: JsonSchema = {
    type: 'object',
    properties: {
      target: { ...uuid },
      reference: { ...uuid, when: { faces: ['reference'] } },
      faces: { type: 'string', enum: ['largest', 'index', 'reference'], default: 'largest', group: 'Faces' },
      faceIndex: {
        type: 'integer',
        minimum: 0,
        maximum: 9,
        default: 0,
        group: 'Faces',
        when: { faces: ['index'] },
      },
      detector: { type: 'string', enum: ['auto', 'scrfd'], default: 'auto', group: 'Faces', advanced: true },
      restore: { type: 'string', enum: ['none', 'codeformer'], default: 'none', group: 'Restoration' },
      fidelity: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.5,
        group: 'Restoration',
        when: { restore: ['codeformer'] },
      },
      quality: { type: 'integer', minimum: 0, maximum: 51, default: 18 },
    },
    required: ['target'],
  };
  const fields = formFields(grouped, ['target', 'reference']);

  it('should put options in sections in the order they first appear, advanced ones apart, ungrouped last as "Options"', () => {
    expect(
      formSections(fields).map((s) => [s.title, s.fields.map((f) => f.name), s.advanced.map((f) => f.name)]),
    ).toEqual([
      ['Faces', ['faces', 'faceIndex'], ['detector']],
      ['Restoration', ['restore', 'fidelity'], []],
      ['Options', ['quality'], []],
    ]);
  });

  it('should show a conditional field only for its choices, and neither check nor send it otherwise', () => {
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    const values = { ...initialValues(fields), target: ['t'], faceIndex: '42', fidelity: '0.7' };
    expect(isShown(byName.faceIndex as (typeof fields)[number], values)).toBe(false);
    expect(isShown(byName.faces as (typeof fields)[number], values)).toBe(true);
    expect(validate(fields, values)).toEqual({});
    expect(toInput(fields, values)).toEqual({
      target: 't',
      faces: 'largest',
      detector: 'auto',
      restore: 'none',
      quality: 18,
    });

    const indexed = { ...values, faces: 'index', restore: 'codeformer' };
    expect(validate(fields, indexed)).toEqual({ faceIndex: 'At most 9' });
    expect(toInput(fields, { ...indexed, faceIndex: '2', reference: ['r'] })).toEqual({
      target: 't',
      faces: 'index',
      faceIndex: 2,
      detector: 'auto',
      restore: 'codeformer',
      fidelity: 0.7,
      quality: 18,
    });
  });
});

describe('humanize', () => {
  it('should turn identifiers into labels', () => {
    expect(humanize('stepMs')).toBe('Step ms');
    expect(humanize('face_enhancer')).toBe('Face enhancer');
  });
});

describe('face map', () => {
  // As zod writes the face swap's `faceMap` and `mapFrame` (`.meta({ widget: 'face-map', when })`).
  const mapSchema: JsonSchema = {
    type: 'object',
    properties: {
      source: { type: 'array', items: { ...uuid }, minItems: 1, maxItems: 8 },
      target: { ...uuid },
      faces: { type: 'string', enum: ['largest', 'map'], default: 'largest', group: 'Faces' },
      faceMap: {
        type: 'array',
        default: [],
        maxItems: 2,
        group: 'Faces',
        when: { faces: ['map'] },
        widget: 'face-map',
        items: { type: 'object', properties: { box: { type: 'array' }, source: { ...uuid } } },
      },
      mapFrame: {
        type: 'integer',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        default: 0,
        group: 'Faces',
        advanced: true,
        when: { faces: ['map'] },
      },
    },
    required: ['source', 'target'],
  };
  const fields = formFields(mapSchema, ['source', 'target']);
  const faceMap = fields.find((f) => f.name === 'faceMap');
  const entry = (x: number, source: string) => ({ box: [x, 10, x + 90, 110], source });

  it('should make the widget its own kind, knowing its target, source and frame fields', () => {
    expect(faceMap).toEqual({
      name: 'faceMap',
      label: 'Face map',
      description: undefined,
      required: false,
      group: 'Faces',
      advanced: false,
      when: { faces: ['map'] },
      kind: 'face-map',
      targetField: 'target',
      sourceField: 'source',
      frameField: 'mapFrame',
      maxItems: 2,
    });
    expect(formSections(fields).map((s) => [s.title, s.fields.map((f) => f.name)])).toEqual([
      ['Faces', ['faces', 'faceMap']],
    ]);
  });

  it('should do without a frame field, and refuse a face map without its target or source field', () => {
    const { mapFrame: _, ...noFrame } = mapSchema.properties ?? {};
    const without = formFields({ ...mapSchema, properties: noFrame }, ['source', 'target']);
    expect(without.find((f) => f.name === 'faceMap')).toMatchObject({ frameField: null });
    const { target: __, ...noTarget } = mapSchema.properties ?? {};
    expect(() => formFields({ ...mapSchema, properties: noTarget }, ['source'])).toThrow(
      'The face map "faceMap" needs an asset field "target" in the same form',
    );
    // A "target" that is not an asset field does not count.
    expect(() => formFields(mapSchema, ['source'])).toThrow('needs an asset field "target"');
  });

  it('should start empty, ask for a face only while mapping, and send the map with its frame', () => {
    const values = { ...initialValues(fields), source: ['s1', 's2'], target: ['t'] };
    expect(initialValues(fields).faceMap).toEqual([]);
    expect(validate(fields, values)).toEqual({});
    expect(toInput(fields, values)).toEqual({ source: ['s1', 's2'], target: 't', faces: 'largest' });

    const mapping = { ...values, faces: 'map' };
    expect(validate(fields, mapping)).toEqual({ faceMap: 'Pick a source photo for at least one face' });
    const three = [entry(0, 's1'), entry(100, 's2'), entry(200, 's1')];
    expect(validate(fields, { ...mapping, faceMap: three })).toEqual({ faceMap: 'At most 2 faces' });
    const map = [entry(0, 's2'), entry(512, 's1')];
    expect(validate(fields, { ...mapping, faceMap: map, mapFrame: 7 })).toEqual({});
    expect(toInput(fields, { ...mapping, faceMap: map, mapFrame: 7 })).toEqual({
      source: ['s1', 's2'],
      target: 't',
      faces: 'map',
      faceMap: [
        { box: [0, 10, 90, 110], source: 's2' },
        { box: [512, 10, 602, 110], source: 's1' },
      ],
      mapFrame: 7,
    });
  });
});
