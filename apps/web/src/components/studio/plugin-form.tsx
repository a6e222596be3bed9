'use client';
import { useMutation } from '@tanstack/react-query';
import { Sparkles } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Spinner } from '@/components/ui/spinner';
import {
  type AssetFieldDef,
  type FormValues,
  formFields,
  formSections,
  initialValues,
  isShown,
  type JsonSchema,
  toInput,
  validate,
} from '@/lib/form-fields';
import type { UploadLimits } from '@/lib/upload';
import { useTRPC } from '@/trpc/react';
import { AssetField } from './asset-field';
import { StudioFormContext } from './form-context';
import { type ModelNeeds, ModelNeedsCard, NonCommercialNotice, useModelNeeds } from './model-needs';
import { OptionField } from './option-field';
import { OptionsSection } from './options-section';

/** The options group shown in the Inputs card, with the files (`.meta({ group: 'Inputs' })`). */
const INPUTS = 'Inputs';

export interface StudioPlugin {
  id: string;
  title: string;
  schema: JsonSchema;
  assetFields: string[];
}

/** The server's answer for the default options, so the models card renders with the page. */
export interface InitialModels {
  options: Record<string, unknown>;
  models: ModelNeeds;
}

/** The per-field messages tRPC's error formatter adds for a zod failure (packages/api/src/trpc.ts). */
function serverFieldErrors(error: unknown): Record<string, string> {
  const fieldErrors = (error as { data?: { zodError?: { fieldErrors?: Record<string, string[]> } } }).data
    ?.zodError?.fieldErrors;
  return Object.fromEntries(
    Object.entries(fieldErrors ?? {}).flatMap(([name, messages]) =>
      messages[0] ? [[name, messages[0]]] : [],
    ),
  );
}

/** A plugin's form, generated from its input schema; submitting starts a job and opens its page. */
export function PluginForm({
  plugin,
  limits,
  initialModels,
}: {
  plugin: StudioPlugin;
  limits: UploadLimits;
  initialModels: InitialModels;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const fields = useMemo(() => formFields(plugin.schema, plugin.assetFields), [plugin]);
  // Options a plugin groups under "Inputs" (a prompt) stand beside its files, first on a phone.
  const allSections = useMemo(() => formSections(fields), [fields]);
  const inputOptions = allSections.find((s) => s.title === INPUTS)?.fields ?? [];
  const sections = allSections.filter((s) => s.title !== INPUTS);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const uploading = Object.values(busy).some(Boolean);

  const submit = useMutation(
    trpc.jobs.create.mutationOptions({
      onSuccess: ({ id }) => router.push(`/jobs/${id}`),
      onError: (error) => {
        setErrors(serverFieldErrors(error));
        toast.error(error.message);
      },
    }),
  );

  const set = (name: string) => (value: unknown) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors(({ [name]: _, ...rest }) => rest);
  };
  const setBusyFor = useCallback(
    (name: string) => (isBusy: boolean) =>
      setBusy((b) => (b[name] === isBusy ? b : { ...b, [name]: isBusy })),
    [],
  );
  const busySetters = useMemo(
    () => Object.fromEntries(fields.map((f) => [f.name, setBusyFor(f.name)])),
    [fields, setBusyFor],
  );

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validate(fields, values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      // After the re-render: an error opens a folded section, and only then is its field there.
      const first = Object.keys(found)[0];
      requestAnimationFrame(() => document.getElementById(`field-${first}`)?.focus());
      return;
    }
    submit.mutate({ plugin: plugin.id, input: toInput(fields, values) });
  }

  const assets = fields.filter((f): f is AssetFieldDef => f.kind === 'asset' && isShown(f, values));
  const options = useMemo(() => {
    const input = toInput(fields, values);
    for (const name of plugin.assetFields) delete input[name];
    return input;
  }, [fields, values, plugin.assetFields]);
  const needs = useModelNeeds(plugin.id, options, initialModels);
  const pending = submit.isPending || submit.isSuccess; // stay disabled while the job page loads

  // Only one of the two Run buttons is displayed at a time (see below).
  const submitButton = (className: string) => (
    <Button type="submit" size="lg" className={className} disabled={pending || uploading}>
      {pending ? <Spinner /> : <Sparkles aria-hidden="true" />}
      {uploading ? 'Waiting for uploads…' : pending ? 'Starting…' : `Run ${plugin.title}`}
    </Button>
  );

  // Wide screens: inputs and the Run button stay in view (sticky) beside a long options column.
  // Phones: inputs, options, then Run. Only one of the two buttons is displayed at a time.
  const form = (
    <form
      onSubmit={onSubmit}
      noValidate
      className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]"
    >
      <div className="space-y-6 lg:sticky lg:top-10">
        <Card>
          <CardHeader>
            <CardTitle>Inputs</CardTitle>
            <CardDescription>
              {assets.length > 0
                ? inputOptions.length > 0
                  ? 'What to make, and the files to make it from: upload them or reuse earlier ones.'
                  : 'Upload files or reuse earlier ones.'
                : inputOptions.length > 0
                  ? 'What to make.'
                  : 'This plugin takes no files.'}
            </CardDescription>
          </CardHeader>
          <CardContent className="space-y-8">
            {inputOptions
              .filter((field) => isShown(field, values))
              .map((field) => (
                <OptionField
                  key={field.name}
                  field={field}
                  value={values[field.name]}
                  error={errors[field.name]}
                  onChange={set(field.name)}
                />
              ))}
            {assets.map((field) => (
              <AssetField
                key={field.name}
                field={field}
                value={(values[field.name] as string[] | undefined) ?? []}
                onChange={set(field.name)}
                onBusyChange={busySetters[field.name] ?? (() => undefined)}
                limits={limits}
                error={errors[field.name]}
              />
            ))}
          </CardContent>
        </Card>
        <div className="hidden space-y-3 lg:block">
          {submitButton('w-full')}
          <NonCommercialNotice models={needs.models} />
        </div>
      </div>
      <div className="space-y-6">
        <ModelNeedsCard needs={needs} pluginTitle={plugin.title} />
        {sections.length === 0 ? (
          <Card>
            <CardContent className="text-sm text-muted-foreground">This plugin has no options.</CardContent>
          </Card>
        ) : null}
        {sections.map((section) => (
          <OptionsSection
            key={section.title}
            section={section}
            values={values}
            errors={errors}
            onChange={set}
          />
        ))}
      </div>
      <div className="space-y-3 lg:hidden">
        {submitButton('w-full')}
        <NonCommercialNotice models={needs.models} />
      </div>
    </form>
  );
  // Fields that work with others (the face map) read the values and setters from the context.
  return <StudioFormContext value={{ values, set }}>{form}</StudioFormContext>;
}
