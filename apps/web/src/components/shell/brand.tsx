import Link from 'next/link';

/** The logo mark and name, linking home. */
export function Brand() {
  return (
    <Link
      href="/"
      className="flex items-center gap-2 rounded-md font-semibold tracking-tight focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
    >
      <svg viewBox="0 0 32 32" className="size-7 text-primary" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path
          d="M9 9l7 15 7-15"
          fill="none"
          className="stroke-primary-foreground"
          strokeWidth="3.2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <span>Visage</span>
    </Link>
  );
}
