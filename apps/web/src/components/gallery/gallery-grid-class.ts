// Shared by the grid and its skeletons (server components too, so not in a 'use client' file):
// the placeholder has the grid's exact shape.
export const GALLERY_GRID = 'grid grid-cols-2 gap-x-3 gap-y-1 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-5';
/** A card's info row under its thumbnail. */
export const CARD_INFO = 'flex h-12 items-center gap-0.5';
/** The filter row above the grid. */
export const FILTER_ROW = 'mb-4 flex min-h-9 flex-wrap items-center gap-2';
