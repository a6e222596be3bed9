import {
  Clapperboard,
  Drama,
  FlaskConical,
  Images,
  ListOrdered,
  type LucideIcon,
  Package,
  Repeat2,
  Settings,
  Sparkles,
  Webcam,
} from 'lucide-react';

export interface NavPlugin {
  id: string;
  title: string;
}

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
}

const PLUGIN_ICONS: Record<string, LucideIcon> = {
  faceswap: Repeat2,
  liveportrait: Drama,
  wan: Clapperboard,
  test: FlaskConical,
};

export const pluginIcon = (id: string): LucideIcon => PLUGIN_ICONS[id] ?? Sparkles;

export const MAIN_NAV: NavItem[] = [
  { href: '/', label: 'Gallery', icon: Images },
  { href: '/live', label: 'Live', icon: Webcam },
];

export const TOOLS_NAV: NavItem[] = [
  { href: '/queue', label: 'Queue', icon: ListOrdered },
  { href: '/models', label: 'Models', icon: Package },
  { href: '/settings', label: 'Settings', icon: Settings },
];

export function createNav(plugins: readonly NavPlugin[]): NavItem[] {
  return plugins.map((p) => ({ href: `/create/${p.id}`, label: p.title, icon: pluginIcon(p.id) }));
}

/** The gallery is active only on "/"; other entries also for their sub-pages. */
export function isActive(href: string, pathname: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
