'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Webcam } from 'lucide-react';
import { useEffect, useState } from 'react';
import { toast } from 'sonner';
import { EmptyState } from '@/components/ui/empty-state';
import type { UploadLimits } from '@/lib/upload';
import { useTRPC, useTRPCClient } from '@/trpc/react';
import { CpuFallbackBanner } from './cpu-fallback-banner';
import { LiveControls } from './live-controls';
import type { LiveMode } from './live-modes';
import { LiveStage, type StageView } from './live-stage';
import { LiveToolbar } from './live-toolbar';
import { MoreOptions } from './more-options';
import { StageMessage } from './stage-message';
import { StatsOverlay } from './stats-overlay';
import { useCameras } from './use-cameras';
import { useLiveForm } from './use-live-form';
import { useLiveSession } from './use-live-session';

/** Free slots change as sessions start and end elsewhere. */
const MODES_REFRESH_MS = 5_000;

/** The Live page: pick a mode and its photos, start the camera, watch and record the result. */
export function LiveStudio({ initialModes, limits }: { initialModes: LiveMode[]; limits: UploadLimits }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const { data: modes } = useQuery({
    ...trpc.live.modes.queryOptions(),
    initialData: initialModes,
    refetchInterval: MODES_REFRESH_MS,
  });
  const [modeId, setModeId] = useState(() => (modes.find((m) => m.freeSlots > 0) ?? modes[0])?.id);
  const mode = modes.find((m) => m.id === modeId) ?? modes[0];
  const form = useLiveForm(mode);
  const session = useLiveSession();
  const { phase, stream, ready, stats, recordingSince, savingRecording, ended } = session.state;
  const cameras = useCameras(stream);
  const [cameraId, setCameraId] = useState<string | null>(null);
  const [view, setView] = useState<StageView>('side-by-side');
  // A session that started or ended changed the free slots: ask again at once, not at the next refresh.
  const running = phase !== 'idle';
  // biome-ignore lint/correctness/useExhaustiveDependencies: to run when a session starts or ends, which `running` says
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.live.modes.queryKey() });
  }, [running]);

  if (!mode)
    return (
      <EmptyState
        icon={Webcam}
        title="No live mode is enabled"
        description="Live mode runs the face swap or portrait plugin on your camera; this server enables neither."
      />
    );

  const start = () => {
    const options = form.submit();
    if (!options) return toast.error('Some inputs need attention: see the marked fields');
    session.start(mode.id, cameraId, async () => {
      return client.live.start.mutate({ plugin: mode.id, options });
    });
  };
  const changeCamera = (id: string) => {
    setCameraId(id);
    if (phase !== 'idle') session.switchCamera(id);
  };

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      {/* Wide screens: the picture stays in view while the options column scrolls. */}
      <div className="min-w-0 space-y-4 lg:sticky lg:top-10">
        {ready ? (
          <CpuFallbackBanner
            models={stats?.cpuFallback ?? ready.cpuFallback}
            accelerator={ready.accelerator}
          />
        ) : null}
        <LiveStage
          view={view}
          stream={stream}
          paintOn={session.paintOn}
          running={phase === 'live' || phase === 'stopping'}
          overlay={<StatsOverlay stats={stats} recordingSince={recordingSince} />}
          empty={<StageMessage phase={phase} ended={ended} />}
        />
        <LiveToolbar
          view={view}
          onViewChange={setView}
          live={phase === 'live'}
          recordingSince={recordingSince}
          saving={savingRecording}
          onRecord={session.record}
        />
      </div>
      <div className="space-y-6">
        <LiveControls
          modes={modes}
          mode={mode}
          onModeChange={setModeId}
          assets={form.assets}
          values={form.values}
          errors={form.errors}
          onValueChange={form.set}
          limits={limits}
          cameras={cameras}
          cameraId={cameraId}
          onCameraChange={changeCamera}
          phase={phase}
          onStart={start}
          onStop={session.stop}
        />
        <MoreOptions
          sections={form.sections}
          values={form.values}
          errors={form.errors}
          onChange={form.set}
          disabled={phase !== 'idle'}
        />
      </div>
    </div>
  );
}
