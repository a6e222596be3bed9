'use client';
import { useState } from 'react';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { DisclosureButton } from '@/components/ui/disclosure-button';
import { type FormSection, type FormValues, isShown, type OptionFieldDef } from '@/lib/form-fields';
import { OptionField } from './option-field';

interface Props {
  section: FormSection;
  values: FormValues;
  errors: Record<string, string>;
  onChange(name: string): (value: unknown) => void;
}

/** One group of a plugin's options; its advanced ones fold away until asked for (or until one has an error). */
export function OptionsSection({ section, values, errors, onChange }: Props) {
  const [expanded, setExpanded] = useState(false);
  const shown = (fields: OptionFieldDef[]) => fields.filter((f) => isShown(f, values));
  const fields = shown(section.fields);
  const advanced = shown(section.advanced);
  const open = expanded || advanced.some((f) => errors[f.name]);
  const slug = section.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const render = (field: OptionFieldDef) => (
    <OptionField
      key={field.name}
      field={field}
      value={values[field.name]}
      error={errors[field.name]}
      onChange={onChange(field.name)}
    />
  );
  if (fields.length === 0 && advanced.length === 0) return null;
  return (
    <Card data-section={section.title}>
      <CardHeader>
        <CardTitle>{section.title}</CardTitle>
      </CardHeader>
      <CardContent className="space-y-6">
        {fields.map(render)}
        {advanced.length > 0 ? (
          <div className="space-y-6">
            <DisclosureButton open={open} controls={`advanced-${slug}`} onToggle={() => setExpanded(!open)}>
              {open ? 'Fewer options' : `More options (${advanced.length})`}
            </DisclosureButton>
            <div id={`advanced-${slug}`} hidden={!open} className="space-y-6">
              {open ? advanced.map(render) : null}
            </div>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
