// Reading a job's uploaded inputs, with messages that name the file and its role.
import { decodeImage, probeVideo, type RgbImage, type VideoInfo } from '@visage/inference';
import { type InputAsset, PluginInputError } from './types.ts';

export const isImage = (asset: InputAsset) => asset.mime.startsWith('image/');
export const isVideo = (asset: InputAsset) => asset.mime.startsWith('video/');

/** Decodes an uploaded image, or says which input could not be read. */
export async function readImage(asset: InputAsset, role: string): Promise<RgbImage> {
  if (!isImage(asset)) {
    throw new PluginInputError(`The ${role} "${asset.name}" must be an image (it is ${asset.mime})`);
  }
  try {
    return await decodeImage(asset.path);
  } catch (error) {
    throw new PluginInputError(
      `The ${role} "${asset.name}" is not a readable image: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Probes an uploaded video, or says which input is not one or could not be read. */
export async function readVideoInfo(asset: InputAsset, role: string): Promise<VideoInfo> {
  if (!isVideo(asset)) {
    throw new PluginInputError(`The ${role} "${asset.name}" must be a video (it is ${asset.mime})`);
  }
  try {
    return await probeVideo(asset.path);
  } catch (error) {
    throw new PluginInputError(`The ${role} "${asset.name}" cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
