'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/utils';
import { createNav, isActive, MAIN_NAV, type NavItem, type NavPlugin, TOOLS_NAV } from './nav-items';

function NavLink({ item, onNavigate }: { item: NavItem; onNavigate?: () => void }) {
  const pathname = usePathname();
  const active = isActive(item.href, pathname);
  const Icon = item.icon;
  return (
    <Link
      href={item.href}
      onClick={onNavigate}
      aria-current={active ? 'page' : undefined}
      className={cn(
        'flex h-9 items-center gap-3 rounded-md px-3 text-sm font-medium transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring',
        active
          ? 'bg-accent text-accent-foreground'
          : 'text-muted-foreground hover:bg-accent/60 hover:text-foreground',
      )}
    >
      <Icon className="size-4 shrink-0" aria-hidden="true" />
      <span className="truncate">{item.label}</span>
    </Link>
  );
}

function Section({
  title,
  items,
  onNavigate,
}: {
  title?: string;
  items: NavItem[];
  onNavigate?: () => void;
}) {
  return (
    <div className="space-y-1">
      {title ? (
        <h2 className="px-3 pt-4 pb-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          {title}
        </h2>
      ) : null}
      <ul className="space-y-0.5">
        {items.map((item) => (
          <li key={item.href}>
            <NavLink item={item} onNavigate={onNavigate} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The app's navigation: the same list in the sidebar and in the phone menu. */
export function NavLinks({
  plugins,
  onNavigate,
}: {
  plugins: readonly NavPlugin[];
  onNavigate?: () => void;
}) {
  const create = createNav(plugins);
  return (
    <nav aria-label="Main" className="flex flex-col gap-1 px-3">
      <Section items={MAIN_NAV} onNavigate={onNavigate} />
      <Section title="Create" items={create} onNavigate={onNavigate} />
      {create.length === 0 ? (
        <p className="px-3 text-xs text-muted-foreground">No plugins are enabled on this server.</p>
      ) : null}
      <Section title="Manage" items={TOOLS_NAV} onNavigate={onNavigate} />
    </nav>
  );
}
