// Where the browser or a script fetches an asset's bytes and thumbnail (authenticated routes served by
// the web app). No runtime dependencies: the browser bundle imports this too.

export const mediaUrl = (id: string) => `/api/media/${id}`;

/** The asset's URL and its thumbnail's (null when it has none). */
export function assetUrls(id: string, hasThumbnail: boolean) {
  return { url: mediaUrl(id), thumbnailUrl: hasThumbnail ? `${mediaUrl(id)}?variant=thumbnail` : null };
}
