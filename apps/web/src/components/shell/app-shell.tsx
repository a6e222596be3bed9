import type { ReactNode } from 'react';
import { Brand } from './brand';
import { MobileNav } from './mobile-nav';
import type { NavPlugin } from './nav-items';
import { NavLinks } from './nav-links';
import { type ShellUser, UserMenu } from './user-menu';

/**
 * Sidebar on wide screens; a top bar with a menu sheet on phones. The skip link is the first
 * focusable element, so keyboard users reach the page content in one Tab.
 */
export function AppShell({
  user,
  plugins,
  children,
}: {
  user: ShellUser;
  plugins: readonly NavPlugin[];
  children: ReactNode;
}) {
  return (
    <>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-[60] focus:rounded-md focus:bg-primary focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:text-primary-foreground"
      >
        Skip to content
      </a>
      <div className="min-h-dvh lg:grid lg:grid-cols-[16rem_minmax(0,1fr)]">
        {/* The column carries the background (full height); the sticky aside stays in view. */}
        <div className="hidden border-r bg-sidebar lg:block">
          <aside className="sticky top-0 flex h-dvh flex-col">
            <div className="flex h-16 items-center px-6">
              <Brand />
            </div>
            <div className="flex-1 overflow-y-auto">
              <NavLinks plugins={plugins} />
            </div>
            <div className="border-t p-3">
              <UserMenu user={user} />
            </div>
          </aside>
        </div>
        <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/95 px-2 backdrop-blur lg:hidden">
          <MobileNav plugins={plugins} />
          <Brand />
          <div className="ml-auto">
            <UserMenu user={user} compact />
          </div>
        </header>
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto w-full max-w-7xl px-4 py-6 outline-none sm:px-6 lg:px-10 lg:py-10"
        >
          {children}
        </main>
      </div>
    </>
  );
}
