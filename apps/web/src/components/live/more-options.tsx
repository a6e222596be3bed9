'use client';
import { useState } from 'react';
import { OptionsSection } from '@/components/studio/options-section';
import { DisclosureButton } from '@/components/ui/disclosure-button';
import type { FormSection, FormValues } from '@/lib/form-fields';

/** The mode's other options (the studio's sections), folded away: the defaults suit a first try. */
export function MoreOptions({
  sections,
  values,
  errors,
  onChange,
  disabled,
}: {
  sections: FormSection[];
  values: FormValues;
  errors: Record<string, string>;
  onChange(name: string): (value: unknown) => void;
  disabled: boolean;
}) {
  const [expanded, setExpanded] = useState(false);
  const count = sections.reduce((n, s) => n + s.fields.length + s.advanced.length, 0);
  if (count === 0) return null;
  const open = expanded || sections.some((s) => [...s.fields, ...s.advanced].some((f) => errors[f.name]));
  return (
    <div className="space-y-4">
      <DisclosureButton open={open} controls="live-more-options" onToggle={() => setExpanded(!open)}>
        {open ? 'Fewer options' : `More options (${count})`}
      </DisclosureButton>
      {/* A session's options are fixed by its ticket: they can change only while none runs. */}
      <fieldset id="live-more-options" hidden={!open} disabled={disabled} className="space-y-6">
        <legend className="sr-only">Options of this mode</legend>
        {open
          ? sections.map((section) => (
              <OptionsSection
                key={section.title}
                section={section}
                values={values}
                errors={errors}
                onChange={onChange}
              />
            ))
          : null}
      </fieldset>
    </div>
  );
}
