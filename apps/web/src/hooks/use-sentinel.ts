'use client';
import { useEffect, useRef } from 'react';

/**
 * A ref for an element near the end of a list: `onNear` runs when it comes within `margin` of the
 * viewport. `watch` (e.g. the item count) re-arms the observer, whose first report on observe()
 * catches a sentinel still in view after a page that did not fill the screen.
 */
export function useSentinel<T extends Element>(
  onNear: () => void,
  { enabled, watch, margin = '800px' }: { enabled: boolean; watch: unknown; margin?: string },
) {
  const ref = useRef<T>(null);
  const callback = useRef(onNear);
  useEffect(() => {
    callback.current = onNear;
  });
  useEffect(() => {
    const element = ref.current;
    if (!enabled || !element || watch === undefined) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) callback.current();
      },
      { rootMargin: `${margin} 0px` },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled, watch, margin]);
  return ref;
}
