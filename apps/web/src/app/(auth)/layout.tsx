import type { ReactNode } from 'react';
import { ServiceStatus } from '@/components/auth/service-status';
import { Brand } from '@/components/shell/brand';

export const dynamic = 'force-dynamic';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center gap-8 bg-muted/40 px-4 py-10">
      <Brand />
      <main id="main" className="w-full max-w-sm">
        {children}
      </main>
      <ServiceStatus />
    </div>
  );
}
