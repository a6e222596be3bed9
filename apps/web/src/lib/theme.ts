// Light, dark or the system's choice, kept in localStorage and applied as the `dark` class on <html>.
// THEME_SCRIPT runs inline in <head> before the first paint, so a page never flashes the wrong theme.

export type ThemeChoice = 'light' | 'dark' | 'system';
export const THEME_KEY = 'visage-theme';

// Without storage (blocked cookies/storage) it falls back to the system's scheme.
export const THEME_SCRIPT = `(function(){var m=matchMedia('(prefers-color-scheme: dark)').matches,t;try{t=localStorage.getItem('${THEME_KEY}')}catch(e){t='system'}document.documentElement.classList.toggle('dark',t==='dark'||(t!=='light'&&m))})()`;

const listeners = new Set<() => void>();
/** The choice made on this page, for when storage is unavailable and cannot keep it. */
let pageChoice: ThemeChoice = 'system';

function systemDark(): boolean {
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export function readChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(THEME_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return pageChoice; // storage disabled: what was chosen on this page, else the system's
  }
}

function apply(): void {
  const choice = readChoice();
  const dark = choice === 'dark' || (choice === 'system' && systemDark());
  document.documentElement.classList.toggle('dark', dark);
  for (const listener of listeners) listener();
}

export function setChoice(choice: ThemeChoice): void {
  pageChoice = choice;
  try {
    if (choice === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch (error) {
    // The choice still applies to this page (pageChoice); it just is not remembered.
    console.warn('Visage: the theme choice cannot be saved (storage unavailable)', error);
  }
  apply();
}

/** Subscribes to theme changes: the user's choice, the system's scheme, another tab's choice. */
export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const onStorage = (event: StorageEvent) => {
    if (event.key === THEME_KEY) apply();
  };
  media.addEventListener('change', apply);
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    media.removeEventListener('change', apply);
    window.removeEventListener('storage', onStorage);
  };
}

/** "<choice>:<resolved>" — one string, so useSyncExternalStore can compare snapshots. */
export function snapshot(): string {
  return `${readChoice()}:${document.documentElement.classList.contains('dark') ? 'dark' : 'light'}`;
}
