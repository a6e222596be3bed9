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
