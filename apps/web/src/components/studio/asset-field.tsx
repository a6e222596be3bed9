'use client';
import { ImagePlus, Library, Upload, X } from 'lucide-react';
import { type DragEvent, useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Progress } from '@/components/ui/progress';
import type { AssetFieldDef } from '@/lib/form-fields';
import { ACCEPTED_TYPES, checkFile, TYPE_LABELS, type UploadLimits, uploadFile } from '@/lib/upload';
import { cn } from '@/lib/utils';
import { LibraryPicker, type PickedAsset } from './library-picker';

interface Pending {
  key: string;
  name: string;
  progress: number;
}

/**
 * Files for one asset input: drop or choose files (each uploads with its own progress bar) or
 * pick earlier uploads. `value` is the chosen asset ids; `known` holds their thumbnails.
 */
export function AssetField({
  field,
  value,
  onChange,
  onBusyChange,
  limits,
  error,
}: {
  field: AssetFieldDef;
  value: string[];
  onChange(ids: string[]): void;
  onBusyChange(busy: boolean): void;
  limits: UploadLimits;
  error?: string;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [pending, setPending] = useState<Pending[]>([]);
  const [known, setKnown] = useState<Record<string, PickedAsset>>({});
  const [pickerOpen, setPickerOpen] = useState(false);
  // Uploads finish out of order; read the latest ids, not the ones of the render that started them.
  const valueRef = useRef(value);
  valueRef.current = value;
  useEffect(() => onBusyChange(pending.length > 0), [pending.length, onBusyChange]);
  const id = `field-${field.name}`;
  const room = field.maxItems - value.length - pending.length;

  function add(assets: PickedAsset[]) {
    setKnown((k) => ({ ...k, ...Object.fromEntries(assets.map((a) => [a.id, a])) }));
    const ids = assets.map((a) => a.id);
    const next = field.multiple ? [...valueRef.current, ...ids].slice(0, field.maxItems) : ids.slice(-1);
    valueRef.current = next;
    onChange(next);
  }

  async function upload(files: File[]) {
    const accepted = files.filter((file) => {
      const problem = checkFile(file, field.accept, limits);
      if (problem) toast.error(problem);
      return !problem;
    });
    const batch = field.multiple ? accepted.slice(0, Math.max(room, 0)) : accepted.slice(0, 1);
    if (field.multiple && accepted.length > batch.length) toast.warning(`Up to ${field.maxItems} files here`);
    if (batch.length === 0) return;
    const started = batch.map((file) => ({ file, key: crypto.randomUUID() }));
    setPending((p) => [...p, ...started.map(({ file, key }) => ({ key, name: file.name, progress: 0 }))]);
    await Promise.all(
      started.map(async ({ file, key }) => {
        try {
          const asset = await uploadFile(file, (progress) =>
            setPending((p) => p.map((item) => (item.key === key ? { ...item, progress } : item))),
          );
          add([{ id: asset.id, name: file.name, thumbnailUrl: asset.thumbnailUrl, mime: asset.mime }]);
        } catch (err) {
          toast.error((err as Error).message);
        } finally {
          setPending((p) => p.filter((item) => item.key !== key));
        }
      }),
    );
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void upload([...event.dataTransfer.files]);
  }

  const accept = field.accept.flatMap((k) => ACCEPTED_TYPES[k]).join(',');
  const full = room <= 0 && field.multiple;

  return (
    <fieldset className="space-y-3" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium">
        {field.label}
        {field.minItems === 0 ? (
          <span className="ml-1 font-normal text-muted-foreground">(optional)</span>
        ) : null}
      </legend>
      {field.description ? <p className="text-xs text-muted-foreground">{field.description}</p> : null}

      {value.length > 0 || pending.length > 0 ? (
        <ul
          className="grid grid-cols-[repeat(auto-fill,minmax(7rem,1fr))] gap-3"
          aria-label={`${field.label} files`}
        >
          {value.map((assetId) => {
            const asset = known[assetId];
            return (
              <li key={assetId} className="relative aspect-square overflow-hidden rounded-lg border bg-muted">
                {asset?.thumbnailUrl ? (
                  <img src={asset.thumbnailUrl} alt={asset.name} className="size-full object-cover" />
                ) : (
                  <span className="flex size-full items-center justify-center p-2 text-center text-xs text-muted-foreground">
                    {asset?.name ?? 'Selected file'}
                  </span>
                )}
                <Button
                  variant="secondary"
                  size="icon"
                  className="absolute top-1.5 right-1.5 size-7 rounded-full shadow"
                  aria-label={`Remove ${asset?.name ?? 'file'}`}
                  onClick={() => onChange(value.filter((v) => v !== assetId))}
                >
                  <X />
                </Button>
              </li>
            );
          })}
          {pending.map((item) => (
            <li
              key={item.key}
              className="flex aspect-square flex-col justify-end gap-2 rounded-lg border bg-muted/50 p-3"
            >
              <span className="truncate text-xs font-medium">{item.name}</span>
              <Progress value={item.progress * 100} aria-label={`Uploading ${item.name}`} />
              <span className="text-xs text-muted-foreground tabular-nums">
                {Math.round(item.progress * 100)}%
              </span>
            </li>
          ))}
        </ul>
      ) : null}

      {full ? null : (
        // biome-ignore lint/a11y/noStaticElementInteractions: a drop target only; its buttons are the keyboard way
        <div
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          className={cn(
            'flex flex-col items-center gap-3 rounded-xl border-2 border-dashed px-4 py-8 text-center transition-colors',
            dragging ? 'border-primary bg-accent' : 'border-input',
          )}
        >
          <span className="flex size-10 items-center justify-center rounded-full bg-accent text-accent-foreground">
            <ImagePlus className="size-5" aria-hidden="true" />
          </span>
          <p className="text-sm">
            <span className="font-medium">Drop {field.multiple ? 'files' : 'a file'} here</span>
            <span className="block text-xs text-muted-foreground">
              {field.accept.map((k) => TYPE_LABELS[k]).join(' or ')} · up to{' '}
              {Math.round(
                (field.accept.includes('video') ? limits.maxVideoBytes : limits.maxImageBytes) / 1024 ** 2,
              )}{' '}
              MB
            </span>
          </p>
          <div className="flex flex-wrap justify-center gap-2">
            <Button variant="outline" size="sm" onClick={() => inputRef.current?.click()}>
              <Upload aria-hidden="true" /> Choose {field.multiple ? 'files' : 'a file'}
            </Button>
            <Button variant="outline" size="sm" onClick={() => setPickerOpen(true)}>
              <Library aria-hidden="true" /> Pick from library
            </Button>
          </div>
          <input
            ref={inputRef}
            id={id}
            type="file"
            hidden
            accept={accept}
            multiple={field.multiple}
            onChange={(e) => {
              void upload([...(e.target.files ?? [])]);
              e.target.value = ''; // choosing the same file again still fires
            }}
          />
        </div>
      )}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
      <LibraryPicker
        open={pickerOpen}
        onOpenChange={setPickerOpen}
        accept={field.accept}
        multiple={field.multiple}
        max={Math.max(field.maxItems - value.length, 1)}
        onPick={add}
      />
    </fieldset>
  );
}
