// Where the model sets download from: the public sources of docs/models/face.md §9 and
// docs/models/liveportrait.md §2.4. A variant lists several URLs only when they serve the same bytes
// (the same sha256); a source with other bytes is another variant, never a silent fallback.

/** FaceFusion publishes each file on GitHub releases and on Hugging Face under the same tag. */
export const facefusionUrls = (tag: string, file: string) => [
  `https://github.com/facefusion/facefusion-assets/releases/download/${tag}/${file}`,
  `https://huggingface.co/facefusion/${tag}/resolve/main/${file}`,
];

/** LivePortrait's Hugging Face repository, which also carries InsightFace's buffalo_l files. */
export const livePortraitHfUrls = (path: string) => [
  `https://huggingface.co/KwaiVGI/LivePortrait/resolve/main/${path}`,
  `https://huggingface.co/KlingTeam/LivePortrait/resolve/main/${path}`,
];

/**
 * VisoMaster's release, whose code publishes a sha256 for every file (app/processors/models_data.py,
 * commit 017af1a1) but no sizes: the store records each size at the first download.
 */
export const visomasterUrl = (file: string) => [
  `https://github.com/visomaster/visomaster-assets/releases/download/v1.0.0/${file}`,
];
