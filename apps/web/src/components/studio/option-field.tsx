'use client';
import { Dices } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Input, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Slider } from '@/components/ui/slider';
import { Switch } from '@/components/ui/switch';
import { humanize, type OptionFieldDef } from '@/lib/form-fields';
import { FaceMapField } from './face-map-field';

interface Props {
  field: OptionFieldDef;
  value: unknown;
  error?: string;
  onChange(value: unknown): void;
}

function Control({ field, value, onChange, id, describedBy }: Props & { id: string; describedBy?: string }) {
  const invalid = describedBy?.includes('-error') ? true : undefined;
  switch (field.kind) {
    case 'boolean':
      return (
        <Switch id={id} checked={value === true} onCheckedChange={onChange} aria-describedby={describedBy} />
      );
    case 'enum':
      return (
        <Select value={typeof value === 'string' ? value : undefined} onValueChange={onChange}>
          <SelectTrigger id={id} aria-describedby={describedBy} aria-invalid={invalid}>
            <SelectValue placeholder="Choose…" />
          </SelectTrigger>
          <SelectContent>
            {field.options.map((option) => (
              <SelectItem key={option} value={option}>
                {field.optionLabels[option] ?? humanize(option)}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      );
    case 'number': {
      const text = value === undefined ? '' : String(value);
      const input = (
        <Input
          id={id}
          type="number"
          inputMode={field.integer ? 'numeric' : 'decimal'}
          min={field.min}
          max={field.max}
          step={field.integer ? 1 : 'any'}
          value={text}
          placeholder={field.required ? undefined : 'Optional'}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          className={field.slider ? 'w-28 shrink-0' : undefined}
        />
      );
      if (field.reroll && field.min !== undefined && field.max !== undefined) {
        const { min, max } = field;
        return (
          <div className="flex items-center gap-2">
            {input}
            <Button
              type="button"
              variant="outline"
              size="sm"
              onClick={() => onChange(randomInteger(min, max))}
              aria-label={`New ${field.label.toLowerCase()}`}
            >
              <Dices aria-hidden className="size-4" />
              New
            </Button>
          </div>
        );
      }
      if (!field.slider || field.min === undefined || field.max === undefined) return input;
      const numeric = Number(value);
      return (
        <div className="flex items-center gap-4">
          <Slider
            aria-label={field.label}
            min={field.min}
            max={field.max}
            step={field.integer ? 1 : (field.max - field.min) / 100}
            value={[Number.isFinite(numeric) ? numeric : field.min]}
            onValueChange={([v]) => onChange(v)}
          />
          {input}
        </div>
      );
    }
    case 'face-map':
      return null; // drawn whole, label included, by FaceMapField (below)
    case 'text':
      return field.multiline ? (
        <Textarea
          id={id}
          value={typeof value === 'string' ? value : ''}
          maxLength={field.maxLength}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        />
      ) : (
        <Input
          id={id}
          value={typeof value === 'string' ? value : ''}
          maxLength={field.maxLength}
          placeholder={field.required ? undefined : 'Optional'}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        />
      );
  }
}

/** A uniform integer in [min, max] from the browser's CSPRNG (seeds up to 2^32 − 1). */
function randomInteger(min: number, max: number): number {
  const [word] = crypto.getRandomValues(new Uint32Array(1));
  return min + ((word as number) % (max - min + 1));
}

/** Worth saying only when leaving it empty changes nothing (no default fills it). */
function optional(field: OptionFieldDef): boolean {
  return (
    !field.required && field.kind !== 'boolean' && field.kind !== 'face-map' && field.default === undefined
  );
}

/** One option of a plugin: label, control, help text from `.describe()`, and its error. */
export function OptionField({ field, value, error, onChange }: Props) {
  if (field.kind === 'face-map')
    return <FaceMapField field={field} value={value} error={error} onChange={onChange} />;
  const id = `field-${field.name}`;
  const describedBy = [field.description ? `${id}-help` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  const inline = field.kind === 'boolean';
  return (
    <div className="space-y-2">
      <div className={inline ? 'flex items-center justify-between gap-4' : 'space-y-2'}>
        <Label htmlFor={id}>
          {field.label}
          {optional(field) ? (
            <span className="ml-1 font-normal text-muted-foreground">(optional)</span>
          ) : null}
        </Label>
        <Control
          field={field}
          value={value}
          onChange={onChange}
          id={id}
          describedBy={describedBy || undefined}
        />
      </div>
      {field.description ? (
        <p id={`${id}-help`} className="text-xs text-muted-foreground">
          {field.description}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
