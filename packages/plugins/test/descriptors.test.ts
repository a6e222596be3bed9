// What the studio reads from the plugin descriptors: which models given options need, and the form
// metadata (sections, "when" conditions) — checked against the schemas so a typo cannot hide a field.
import { findModel } from '@visage/inference/models';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelCatalog } from '../src/catalog.ts';
import { modelNeeds, pluginDescriptors } from '../src/schemas.ts';

const descriptor = (id: string) => {
  const found = pluginDescriptors.find((d) => d.id === id);
  if (!found) throw new Error(`no descriptor ${id}`);
  return found;
};

describe('modelNeeds', () => {
  it('should list the face swap models for the defaults: ArcFace needed, the auto choices as optional', () => {
    expect(modelNeeds(descriptor('faceswap'), {})).toEqual({
      required: ['arcface_w600k_r50'],
      optional: [
        'det_10g',
        'yoloface_8n',
        'blazeface',
        '2dfan4',
        // swapper "auto": the permissive ghost family first (with its converter), then the others
        'ghost_3_256',
        'crossface_ghost',
        'ghost_2_256',
        'ghost_1_256',
        'hyperswap_1a_256',
        'hyperswap_1b_256',
        'hyperswap_1c_256',
        'simswap_unofficial_512',
        'crossface_simswap',
        'simswap_256',
        'inswapper_128',
      ],
    });
  });

  it('should follow the chosen detector, restorer and masks', () => {
    expect(
      modelNeeds(descriptor('faceswap'), {
        swapper: 'simswap_256',
        detector: 'scrfd',
        restore: 'codeformer',
        occlusionMask: true,
        landmarker: 'none',
      }),
    ).toEqual({
      required: ['arcface_w600k_r50', 'simswap_256', 'crossface_simswap', 'det_10g', 'codeformer', 'xseg_1'],
      optional: [],
    });
  });

  it('should read an option that does not parse (a form mid-edit) as its default', () => {
    const needs = modelNeeds(descriptor('faceswap'), {
      swapper: 'inswapper_128',
      detector: 'bogus',
      restore: 42,
      regionMask: 'yes',
    });
    expect(needs.required).toEqual(['arcface_w600k_r50', 'inswapper_128']);
    expect(needs.optional).toContain('det_10g');
  });

  it('should add the retargeting models to a portrait animation only when asked, never listing one twice', () => {
    const lp = descriptor('liveportrait');
    const base = [
      'liveportrait_appearance_feature_extractor',
      'liveportrait_motion_extractor',
      'liveportrait_warping_spade',
      '2d106det', // LP crops the portrait from its 106 points (liveportrait.md §5.3)
      'liveportrait_stitching',
    ];
    expect(modelNeeds(lp, {}).required).toEqual(base);
    expect(modelNeeds(lp, { eyeRetargeting: true, stitching: false }).required).toEqual([
      ...base.slice(0, 4),
      'liveportrait_stitching_eye',
      'liveportrait_landmark',
    ]);
    // The 203-point model tracks the driving face when installed, and relative motion normalises an open
    // source mouth with the lip model; with retargeting they are required instead.
    expect(modelNeeds(lp, {}).optional).toEqual([
      'det_10g',
      'yoloface_8n',
      'blazeface',
      'liveportrait_landmark',
      'liveportrait_stitching_lip',
    ]);
    expect(modelNeeds(lp, { lipRetargeting: true }).optional).not.toContain('liveportrait_landmark');
    expect(modelNeeds(lp, { lipRetargeting: true }).optional).not.toContain('liveportrait_stitching_lip');
    expect(modelNeeds(lp, { mode: 'absolute' }).optional).not.toContain('liveportrait_stitching_lip');
    expect(modelNeeds(lp, { normalizeLips: false }).optional).not.toContain('liveportrait_stitching_lip');
    expect(modelNeeds(lp, { eyeRetargeting: true }).optional).not.toContain('liveportrait_stitching_lip');
  });

  it('should name only catalog models, for every enum choice of every plugin', () => {
    for (const d of pluginDescriptors.filter((p) => p.id !== 'test')) {
      const shape = (d.input as unknown as { shape: Record<string, z.ZodType> }).shape;
      const enums = Object.entries(shape).flatMap(([name, field]) => {
        const options = (z.toJSONSchema(field, { io: 'input' }) as { enum?: unknown[] }).enum ?? [];
        return options.map((value) => ({ [name]: value }));
      });
      for (const options of [{}, ...enums]) {
        const { required, optional } = modelNeeds(d, options);
        for (const id of [...required, ...optional]) expect(findModel(id, modelCatalog()).id).toBe(id);
      }
    }
  });
});

describe('form metadata', () => {
  type Property = { group?: unknown; advanced?: unknown; when?: Record<string, unknown[]> };

  it.each(pluginDescriptors.map((d) => [d.id, d] as const))(
    '%s: "when" names real fields and values',
    (_, d) => {
      const shape = (d.input as unknown as { shape: Record<string, z.ZodType> }).shape;
      const properties = (
        z.toJSONSchema(d.input, { io: 'input' }) as { properties: Record<string, Property> }
      ).properties;
      for (const [name, property] of Object.entries(properties)) {
        if (property.group !== undefined) {
          expect(typeof property.group, name).toBe('string');
          expect(d.assetFields, `${name} is an asset: it belongs to the inputs, not a section`).not.toContain(
            name,
          );
        }
        if (property.advanced !== undefined) expect(property.advanced, name).toBe(true);
        for (const [other, values] of Object.entries(property.when ?? {})) {
          expect(Object.keys(shape), `${name} depends on ${other}`).toContain(other);
          expect(other, `${name} depends on itself`).not.toBe(name);
          for (const value of values)
            expect(shape[other]?.safeParse(value).success, `${other}=${value}`).toBe(true);
        }
      }
    },
  );

  it('should keep face swap options that only matter for one choice behind that choice', () => {
    const properties = (
      z.toJSONSchema(descriptor('faceswap').input, { io: 'input' }) as {
        properties: Record<string, Property>;
      }
    ).properties;
    expect(properties.faceIndex?.when).toEqual({ faces: ['index'] });
    expect(properties.reference?.when).toEqual({ faces: ['reference'] });
    expect(properties.restoreFidelity?.when).toEqual({ restore: ['codeformer'] });
  });
});
