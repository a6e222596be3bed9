import type { ReactNode } from 'react';

export interface SettingsSectionLink {
  id: string;
  title: string;
}

/** Jump links to the sections: a column beside them on wide screens, a row above them on phones. */
export function SettingsNav({ sections }: { sections: readonly SettingsSectionLink[] }) {
  return (
    <nav aria-label="Settings sections" className="lg:sticky lg:top-10 lg:self-start">
      <ul className="flex gap-1 overflow-x-auto pb-1 lg:flex-col lg:pb-0">
        {sections.map((s) => (
          <li key={s.id}>
            <a
              href={`#${s.id}`}
              className="block rounded-md px-3 py-1.5 text-sm whitespace-nowrap text-muted-foreground transition-colors hover:bg-accent hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
            >
              {s.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * A group of cards the nav jumps to. `title` shows only when the group holds several cards; a lone
 * card's own title already says it (and the nav's link names the section). scroll-margin keeps the
 * top clear of the phone's sticky bar.
 */
export function SettingsSection({
  id,
  title,
  showTitle = true,
  children,
}: {
  id: string;
  title: string;
  showTitle?: boolean;
  children: ReactNode;
}) {
  return (
    <section
      id={id}
      aria-label={showTitle ? undefined : title}
      aria-labelledby={showTitle ? `${id}-title` : undefined}
      className="scroll-mt-20 space-y-4 lg:scroll-mt-10"
    >
      {showTitle ? (
        <h2
          id={`${id}-title`}
          className="text-sm font-semibold tracking-wide text-muted-foreground uppercase"
        >
          {title}
        </h2>
      ) : null}
      {children}
    </section>
  );
}
