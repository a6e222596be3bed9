import { Ban, CheckCircle2, Clock, LoaderCircle, XCircle } from 'lucide-react';
import { Badge } from '@/components/ui/badge';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

const LOOK = {
  queued: { label: 'Queued', variant: 'secondary', icon: Clock },
  running: { label: 'Running', variant: 'default', icon: LoaderCircle },
  succeeded: { label: 'Succeeded', variant: 'success', icon: CheckCircle2 },
  failed: { label: 'Failed', variant: 'destructive', icon: XCircle },
  cancelled: { label: 'Cancelled', variant: 'outline', icon: Ban },
} as const;

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const { label, variant, icon: Icon } = LOOK[status];
  return (
    <Badge variant={variant} data-status={status}>
      <Icon className={status === 'running' ? 'animate-spin' : undefined} aria-hidden="true" />
      {label}
    </Badge>
  );
}

export const isTerminal = (status: JobStatus) =>
  status === 'succeeded' || status === 'failed' || status === 'cancelled';
