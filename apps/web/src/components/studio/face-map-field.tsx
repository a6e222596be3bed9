'use client';
// The face map (face swap, faces = "map"; docs/models/face.md §8.5): a worker finds the target's faces
// (on a video, on the chosen frame), each is shown with a choice of "Leave as is" or one of the
// source photos. The value is the list of { box, source } for the faces given a photo.
import { useQueries, useQuery } from '@tanstack/react-query';
import { RotateCw, ScanFace } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Slider } from '@/components/ui/slider';
import { useSettled } from '@/hooks/use-settled';
import type { FaceMapEntry, FormField } from '@/lib/form-fields';
import { useTRPC } from '@/trpc/react';
import type { RouterOutputs } from '@/trpc/types';
import { useStudioForm } from './form-context';

type FaceMapFieldDef = Extract<FormField, { kind: 'face-map' }>;
type TargetFaces = RouterOutputs['faceswap']['targetFaces'];
type Face = TargetFaces['faces'][number];

/** The select's value for "no photo": Radix wants a non-empty value. */
const KEEP = 'keep';

const firstId = (value: unknown) => (Array.isArray(value) && typeof value[0] === 'string' ? value[0] : null);
const idsOf = (value: unknown) =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const sameBox = (a: readonly number[], b: readonly number[]) => a.every((v, i) => v === b[i]);

/** "left", "centre" or "right": where the face's centre lies across the picture. */
function position(face: Face, width: number): string {
  const centre = (face.box[0] + face.box[2]) / 2 / width;
  return centre < 1 / 3 ? 'left' : centre < 2 / 3 ? 'centre' : 'right';
}

export function FaceMapField({
  field,
  value,
  error,
  onChange,
}: {
  field: FaceMapFieldDef;
  value: unknown;
  error?: string;
  onChange(value: unknown): void;
}) {
  const trpc = useTRPC();
  const { values, set } = useStudioForm();
  const id = `field-${field.name}`;
  const targetId = firstId(values[field.targetField]);
  const sourceIds = idsOf(values[field.sourceField]);
  const rawFrame = field.frameField ? Number(values[field.frameField] ?? 0) : 0;
  const frame = Number.isInteger(rawFrame) && rawFrame >= 0 ? rawFrame : 0;
  // A slider drag or typing asks the worker once, when it stops.
  const settledFrame = useSettled(frame, 400);
  const map = Array.isArray(value) ? (value as FaceMapEntry[]) : [];

  const faces = useQuery({
    ...trpc.faceswap.targetFaces.queryOptions({
      asset: targetId ?? '',
      ...(settledFrame > 0 ? { frame: settledFrame } : {}),
    }),
    enabled: targetId !== null,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const sources = useQueries({
    queries: sourceIds.map((sourceId) => ({
      ...trpc.assets.get.queryOptions({ id: sourceId }),
      staleTime: Number.POSITIVE_INFINITY,
    })),
  });

  // The video's length, kept while another frame loads so the frame chooser stays put.
  const [video, setVideo] = useState<{ target: string; frameCount: number; fps: number } | null>(null);
  useEffect(() => {
    const data = faces.data;
    if (targetId && data?.frameCount != null && data.fps != null)
      setVideo({ target: targetId, frameCount: data.frameCount, fps: data.fps });
  }, [faces.data, targetId]);
  const frames = video?.target === targetId ? video : null;

  // The boxes belong to one picture: another target or frame starts the map afresh (a new target
  // from frame 0), and a removed source photo leaves the map.
  const picked = useRef({ targetId, frame: settledFrame });
  useEffect(() => {
    const before = picked.current;
    if (before.targetId === targetId && before.frame === settledFrame) return;
    picked.current = { targetId, frame: settledFrame };
    if (map.length > 0) onChange([]);
    if (before.targetId !== targetId && field.frameField && frame !== 0) set(field.frameField)(0);
  }, [targetId, settledFrame, map.length, onChange, set, field.frameField, frame]);
  const sourceKey = sourceIds.join(',');
  useEffect(() => {
    const kept = map.filter((entry) => sourceKey.split(',').includes(entry.source));
    if (kept.length !== map.length) onChange(kept);
  }, [sourceKey, map, onChange]);

  function assign(face: Face, source: string) {
    const list = faces.data?.faces ?? [];
    // Left to right, only faces on the current picture.
    const next = list.flatMap((f): FaceMapEntry[] => {
      if (f === face) return source === KEEP ? [] : [{ box: f.box, source }];
      const entry = map.find((e) => sameBox(e.box, f.box));
      return entry ? [{ box: f.box, source: entry.source }] : [];
    });
    onChange(next);
  }

  const describedBy = [field.description ? `${id}-help` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  const onWhat = frames ? `frame ${settledFrame}` : 'this image';

  return (
    <fieldset id={id} tabIndex={-1} className="min-w-0 space-y-3" aria-describedby={describedBy || undefined}>
      <legend className="text-sm font-medium">Faces to swap</legend>
      {field.description ? (
        <p id={`${id}-help`} className="text-xs text-muted-foreground">
          {field.description}
        </p>
      ) : null}

      {targetId === null ? (
        <p className="rounded-md border border-dashed p-3 text-sm text-muted-foreground">
          Add the target first: its faces are listed here.
        </p>
      ) : (
        <>
          {frames && field.frameField ? (
            <FrameChooser
              frame={frame}
              frameCount={frames.frameCount}
              fps={frames.fps}
              onChange={set(field.frameField)}
            />
          ) : null}
          {faces.isPending ? (
            <div role="status" className="space-y-3">
              <p className="flex items-center gap-2 text-sm text-muted-foreground">
                <ScanFace className="size-4 animate-pulse" aria-hidden="true" />
                Finding the faces…
              </p>
              {[0, 1].map((n) => (
                <div key={n} className="flex items-center gap-3">
                  <Skeleton className="size-16 shrink-0" />
                  <Skeleton className="h-9 flex-1" />
                </div>
              ))}
            </div>
          ) : faces.isError ? (
            <div
              role="alert"
              className="space-y-2 rounded-md border border-destructive/30 bg-destructive/10 p-3 text-sm"
            >
              <p>
                <strong>Could not find the faces</strong>: {faces.error.message}
              </p>
              <Button variant="outline" size="sm" onClick={() => void faces.refetch()}>
                <RotateCw aria-hidden="true" /> Try again
              </Button>
            </div>
          ) : faces.data.faces.length === 0 ? (
            <p role="status" className="rounded-md border border-dashed p-3 text-sm text-muted-foreground">
              No faces found on {onWhat}.
            </p>
          ) : (
            <ul className="space-y-3" aria-label={`Faces on ${onWhat}`}>
              {faces.data.faces.map((face, i) => {
                const label = `Face ${i + 1} (${position(face, faces.data.width)})`;
                const selectId = `${id}-${i}`;
                const entry = map.find((e) => sameBox(e.box, face.box));
                return (
                  <li key={face.box.join(',')} className="flex items-center gap-3">
                    <img
                      src={face.thumbnail}
                      alt={label}
                      width={64}
                      height={64}
                      className="size-16 shrink-0 rounded-md border object-cover"
                    />
                    <div className="min-w-0 flex-1 space-y-1.5">
                      <Label htmlFor={selectId}>{label}</Label>
                      <Select value={entry?.source ?? KEEP} onValueChange={(v) => assign(face, v)}>
                        <SelectTrigger id={selectId} aria-invalid={error ? true : undefined}>
                          <SelectValue />
                        </SelectTrigger>
                        <SelectContent>
                          <SelectItem value={KEEP}>Leave as is</SelectItem>
                          {sourceIds.map((sourceId, n) => {
                            const asset = sources[n]?.data;
                            const name = asset?.originalName ?? 'photo';
                            return (
                              <SelectItem key={sourceId} value={sourceId}>
                                <span className="flex min-w-0 items-center gap-2">
                                  {asset?.thumbnailUrl ? (
                                    <img
                                      src={asset.thumbnailUrl}
                                      alt=""
                                      width={20}
                                      height={20}
                                      className="size-5 shrink-0 rounded-sm object-cover"
                                    />
                                  ) : null}
                                  <span className="truncate">
                                    {/* The number only for screen readers: the photo shows which. */}
                                    <span className="sr-only">Source {n + 1}: </span>
                                    {name}
                                  </span>
                                </span>
                              </SelectItem>
                            );
                          })}
                        </SelectContent>
                      </Select>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          {sourceIds.length === 0 && faces.data && faces.data.faces.length > 0 ? (
            <p className="text-xs text-muted-foreground">Add source photos to choose who goes where.</p>
          ) : null}
        </>
      )}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** A video's frame: slider and number, with the time it shows. */
function FrameChooser({
  frame,
  frameCount,
  fps,
  onChange,
}: {
  frame: number;
  frameCount: number;
  fps: number;
  onChange(frame: number): void;
}) {
  const last = Math.max(frameCount - 1, 0);
  const inputId = 'face-map-frame';
  return (
    <div className="space-y-2">
      <Label htmlFor={inputId}>Frame to pick the faces on</Label>
      <div className="flex items-center gap-4">
        <Slider
          aria-label="Frame to pick the faces on"
          min={0}
          max={last}
          step={1}
          value={[Math.min(frame, last)]}
          onValueChange={([v]) => onChange(v ?? 0)}
        />
        <Input
          id={inputId}
          type="number"
          inputMode="numeric"
          min={0}
          max={last}
          step={1}
          value={frame}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (Number.isInteger(n)) onChange(Math.min(Math.max(n, 0), last));
          }}
          className="w-24 shrink-0"
        />
      </div>
      <p className="text-xs text-muted-foreground tabular-nums">
        {frameCount} frames; frame {frame} is at {(frame / fps).toFixed(2)} s.
      </p>
    </div>
  );
}
