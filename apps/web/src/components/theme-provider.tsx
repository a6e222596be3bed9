'use client';
import { useSyncExternalStore } from 'react';
import { setChoice, snapshot, subscribe, type ThemeChoice } from '@/lib/theme';

/** The theme the user chose and the one in effect; the server renders "system"/"light". */
export function useTheme(): { choice: ThemeChoice; resolved: 'light' | 'dark'; setTheme: typeof setChoice } {
  const value = useSyncExternalStore(subscribe, snapshot, () => 'system:light');
  const [choice, resolved] = value.split(':') as [ThemeChoice, 'light' | 'dark'];
  return { choice, resolved, setTheme: setChoice };
}
