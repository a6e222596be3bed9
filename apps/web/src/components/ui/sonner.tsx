'use client';
import { Toaster as Sonner } from 'sonner';
import { useTheme } from '@/components/theme-provider';

/** Toasts in the app's colours; `toast()` from 'sonner' shows one. */
export function Toaster() {
  const { resolved } = useTheme();
  return (
    <Sonner
      theme={resolved}
      position="bottom-right"
      closeButton
      toastOptions={{
        classNames: {
          toast: 'border bg-popover text-popover-foreground shadow-lg',
          description: 'text-muted-foreground',
        },
      }}
    />
  );
}
