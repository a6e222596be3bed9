'use client';
// The studio form's values and setters, for the few fields that work with others (the face map reads
// the target and source photos and sets the video frame); plain fields get only their own value.
import { createContext, useContext } from 'react';
import type { FormValues } from '@/lib/form-fields';

export interface StudioFormState {
  values: FormValues;
  set(name: string): (value: unknown) => void;
}

export const StudioFormContext = createContext<StudioFormState | null>(null);

export function useStudioForm(): StudioFormState {
  const state = useContext(StudioFormContext);
  if (!state) throw new Error('useStudioForm: this field works only inside the studio form (PluginForm)');
  return state;
}
