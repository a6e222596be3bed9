import { JobViewSkeleton } from '@/components/jobs/job-view-skeleton';

export default function Loading() {
  return <JobViewSkeleton />;
}
