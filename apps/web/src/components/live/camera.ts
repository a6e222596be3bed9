// The camera for a live session: getUserMedia with the size the frames are sent at, and the
// browser's refusals turned into sentences a user can act on.

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

export class CameraError extends Error {
  override name = 'CameraError';
}

export async function openCamera(deviceId: string | null): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia)
    throw new CameraError('This browser gives no camera access here (it needs https or localhost)');
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
        width: { ideal: FRAME_WIDTH },
        height: { ideal: FRAME_HEIGHT },
      },
    });
  } catch (error) {
    const name = (error as DOMException).name;
    if (name === 'NotAllowedError')
      throw new CameraError('Camera access was refused: allow it in the browser’s site settings');
    if (name === 'NotFoundError' || name === 'OverconstrainedError')
      throw new CameraError('No camera was found (or the chosen one is gone)');
    if (name === 'NotReadableError')
      throw new CameraError('The camera is in use by another program or could not be started');
    throw new CameraError(`The camera could not be opened: ${(error as Error).message}`);
  }
}

export function closeCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** A video element off the page that plays the stream, for the frame pump to draw from. */
export async function captureVideo(stream: MediaStream): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  return video;
}
