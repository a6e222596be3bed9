import { type ClassValue, clsx } from 'clsx';
import { twMerge } from 'tailwind-merge';

/** Joins class names; later Tailwind utilities override earlier ones (so callers can restyle). */
export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
