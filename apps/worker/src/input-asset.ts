// An asset row as a plugin sees it (InputAsset): its file's path in the media store and what the
// upload probe found. Jobs (run-context.ts) and live sessions (live/inputs.ts) both hand these out.
import type { AssetModel } from '@visage/db';
import type { MediaStore } from '@visage/db/media';
import type { InputAsset } from '@visage/plugins';

export function inputAssetOf(asset: AssetModel, media: MediaStore): InputAsset {
  return {
    id: asset.id,
    name: asset.originalName ?? asset.id,
    path: media.absolutePath(asset.storageKey),
    mime: asset.mime,
    width: asset.width,
    height: asset.height,
    durationMs: asset.durationMs,
    fps: asset.fps,
    hasAudio: asset.hasAudio,
  };
}
