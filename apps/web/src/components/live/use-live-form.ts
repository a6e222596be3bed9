'use client';
// The options of the chosen live mode as a form (the studio's form-fields over the mode's schema).
// Each mode keeps its own values, so trying another mode and coming back loses nothing.
import { useCallback, useMemo, useState } from 'react';
import {
  type AssetFieldDef,
  type FormValues,
  formFields,
  formSections,
  initialValues,
  isShown,
  type JsonSchema,
  toInput,
  validate,
} from '@/lib/form-fields';
import type { LiveMode } from './live-modes';

export function useLiveForm(mode: LiveMode | undefined) {
  const fields = useMemo(
    () => (mode ? formFields(mode.inputSchema as JsonSchema, mode.assetFields) : []),
    [mode],
  );
  const sections = useMemo(() => formSections(fields), [fields]);
  const [byMode, setByMode] = useState<Record<string, FormValues>>({});
  // Kept with the mode they were found for: another mode starts without them.
  const [found, setFound] = useState<{ mode: string; errors: Record<string, string> }>({
    mode: '',
    errors: {},
  });
  const id = mode?.id ?? '';
  const values = byMode[id] ?? initialValues(fields);
  const errors = found.mode === id ? found.errors : {};

  const set = useCallback(
    (name: string) => (value: unknown) => {
      setByMode((all) => ({ ...all, [id]: { ...(all[id] ?? initialValues(fields)), [name]: value } }));
      setFound(({ mode: of, errors: { [name]: _, ...rest } }) => ({ mode: of, errors: rest }));
    },
    [id, fields],
  );

  /** The options for live.start, or null (and the errors shown) when something is missing. */
  const submit = (): Record<string, unknown> | null => {
    const errors = validate(fields, values);
    setFound({ mode: id, errors });
    return Object.keys(errors).length > 0 ? null : toInput(fields, values);
  };

  const assets = fields.filter((f): f is AssetFieldDef => f.kind === 'asset' && isShown(f, values));
  return { sections, assets, values, errors, set, submit };
}
