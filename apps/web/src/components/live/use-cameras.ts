'use client';
// The cameras this browser offers. Before camera access is granted they have no names, so the
// list is read again once a stream is open (and whenever a camera is plugged in or out).
import { useEffect, useState } from 'react';

export interface Camera {
  deviceId: string;
  label: string;
}

async function listCameras(): Promise<Camera[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput' && d.deviceId)
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

export function useCameras(stream: MediaStream | null): Camera[] {
  const [cameras, setCameras] = useState<Camera[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: an open stream is what makes the names readable
  useEffect(() => {
    let current = true;
    const refresh = () =>
      void listCameras().then(
        (found) => current && setCameras(found),
        () => undefined,
      );
    refresh();
    navigator.mediaDevices?.addEventListener('devicechange', refresh);
    return () => {
      current = false;
      navigator.mediaDevices?.removeEventListener('devicechange', refresh);
    };
  }, [stream]);
  return cameras;
}
