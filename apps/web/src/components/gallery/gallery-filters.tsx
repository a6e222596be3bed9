'use client';
import { Star } from 'lucide-react';
import { Segmented } from '@/components/ui/segmented';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import type { GalleryFilter, GalleryShow, GalleryStatus } from './gallery-filter';
import { FILTER_ROW } from './gallery-grid-class';

export function GalleryFilters({
  value,
  plugins,
  motion,
  onChange,
}: {
  value: GalleryFilter;
  plugins: { id: string; title: string }[];
  /** Whether to offer motion templates (only portrait animation saves them). */
  motion: boolean;
  onChange(value: GalleryFilter): void;
}) {
  return (
    <div className={FILTER_ROW}>
      <Select
        value={value.status}
        onValueChange={(status) => onChange({ ...value, status: status as GalleryStatus })}
      >
        <SelectTrigger className="w-36" aria-label="Job status">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="done">Results</SelectItem>
          <SelectItem value="active">In progress</SelectItem>
          <SelectItem value="failed">Failed</SelectItem>
          <SelectItem value="cancelled">Cancelled</SelectItem>
        </SelectContent>
      </Select>
      {/* Starred and motion templates are kinds of result: not offered while jobs are listed. */}
      {value.status !== 'done' ? null : (
        <Segmented<GalleryShow>
          label="Show"
          value={value.show}
          onChange={(show) => onChange({ ...value, show })}
          options={[
            { value: 'all', label: 'All' },
            {
              value: 'starred',
              label: (
                <>
                  <Star aria-hidden="true" /> Starred
                </>
              ),
            },
            ...(motion ? [{ value: 'motion' as const, label: 'Motion templates' }] : []),
          ]}
        />
      )}
      <Select
        value={value.plugin ?? 'all'}
        onValueChange={(plugin) => onChange({ ...value, plugin: plugin === 'all' ? null : plugin })}
      >
        <SelectTrigger className="w-44" aria-label="Made with">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="all">All tools</SelectItem>
          {plugins.map((p) => (
            <SelectItem key={p.id} value={p.id}>
              {p.title}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}
