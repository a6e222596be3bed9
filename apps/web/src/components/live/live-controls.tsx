'use client';
import { Play, Square } from 'lucide-react';
import { useCallback, useState } from 'react';
import { AssetField } from '@/components/studio/asset-field';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Spinner } from '@/components/ui/spinner';
import type { AssetFieldDef, FormValues } from '@/lib/form-fields';
import type { UploadLimits } from '@/lib/upload';
import type { LiveMode } from './live-modes';
import type { LivePhase } from './live-session';
import { SlotNotice } from './slot-notice';
import type { Camera } from './use-cameras';

/** The session's settings: mode, its input photos, camera, and Start / Stop. */
export function LiveControls({
  modes,
  mode,
  onModeChange,
  assets,
  values,
  errors,
  onValueChange,
  limits,
  cameras,
  cameraId,
  onCameraChange,
  phase,
  onStart,
  onStop,
}: {
  modes: LiveMode[];
  mode: LiveMode;
  onModeChange(id: string): void;
  assets: AssetFieldDef[];
  values: FormValues;
  errors: Record<string, string>;
  onValueChange(name: string): (value: unknown) => void;
  limits: UploadLimits;
  cameras: Camera[];
  cameraId: string | null;
  onCameraChange(id: string): void;
  phase: LivePhase;
  onStart(): void;
  onStop(): void;
}) {
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const uploading = Object.values(busy).some(Boolean);
  const onBusy = useCallback(
    (name: string) => (isBusy: boolean) =>
      setBusy((b) => (b[name] === isBusy ? b : { ...b, [name]: isBusy })),
    [],
  );
  const idle = phase === 'idle';
  const full = mode.freeSlots === 0;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Session</CardTitle>
      </CardHeader>
      <CardContent className="space-y-6">
        {/* Options are fixed for a session (its ticket carries them): change them after Stop. */}
        <fieldset disabled={!idle} className="space-y-6">
          <div className="space-y-2">
            <Label htmlFor="live-mode">Mode</Label>
            <Select value={mode.id} onValueChange={onModeChange} disabled={!idle}>
              <SelectTrigger id="live-mode" aria-describedby="live-mode-help">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {modes.map((m) => (
                  <SelectItem key={m.id} value={m.id}>
                    {m.title}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            <p id="live-mode-help" className="text-xs text-muted-foreground">
              {mode.description}
            </p>
          </div>
          {assets.map((field) => (
            <AssetField
              key={`${mode.id}-${field.name}`}
              field={field}
              value={(values[field.name] as string[] | undefined) ?? []}
              onChange={onValueChange(field.name)}
              onBusyChange={onBusy(field.name)}
              limits={limits}
              error={errors[field.name]}
            />
          ))}
        </fieldset>
        <div className="space-y-2">
          <Label htmlFor="live-camera">Camera</Label>
          <Select value={cameraId ?? ''} onValueChange={onCameraChange} disabled={cameras.length === 0}>
            <SelectTrigger id="live-camera">
              <SelectValue placeholder={cameras.length === 0 ? 'No camera found yet' : 'Default camera'} />
            </SelectTrigger>
            <SelectContent>
              {cameras.map((c) => (
                <SelectItem key={c.deviceId} value={c.deviceId}>
                  {c.label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        {idle ? <SlotNotice mode={mode} /> : null}
        {idle ? (
          <Button size="lg" className="w-full" onClick={onStart} disabled={uploading || full}>
            <Play aria-hidden="true" />
            {uploading ? 'Waiting for uploads…' : 'Start'}
          </Button>
        ) : (
          <Button
            size="lg"
            variant="destructive"
            className="w-full"
            onClick={onStop}
            disabled={phase === 'stopping'}
          >
            {phase === 'stopping' ? <Spinner /> : <Square aria-hidden="true" />}
            {phase === 'stopping' ? 'Saving the recording…' : 'Stop'}
          </Button>
        )}
      </CardContent>
    </Card>
  );
}
