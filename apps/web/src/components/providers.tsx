'use client';
import type { ReactNode } from 'react';
import { Toaster } from '@/components/ui/sonner';
import { TooltipProvider } from '@/components/ui/tooltip';
import { TrpcReactProvider } from '@/trpc/react';

export function Providers({ children }: { children: ReactNode }) {
  return (
    <TrpcReactProvider>
      <TooltipProvider delayDuration={300}>
        {children}
        <Toaster />
      </TooltipProvider>
    </TrpcReactProvider>
  );
}
