import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/shell/page-header';
import { PluginForm } from '@/components/studio/plugin-form';
import { formFields, initialValues, toInput } from '@/lib/form-fields';
import { enabledPlugins, uploadLimits } from '@/server/plugins';
import { serverCaller } from '@/trpc/server';

type Props = { params: Promise<{ plugin: string }> };

async function findPlugin(id: string) {
  return (await enabledPlugins()).find((p) => p.id === id);
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const plugin = await findPlugin((await params).plugin);
  return { title: plugin?.title ?? 'Create' };
}

export default async function CreatePage({ params }: Props) {
  const plugin = await findPlugin((await params).plugin);
  if (!plugin) notFound();
  // The models card's first answer (default options), fetched with the page so it does not pop in.
  const fields = formFields(plugin.schema, plugin.assetFields);
  const options = toInput(fields, initialValues(fields));
  for (const name of plugin.assetFields) delete options[name];
  const models = await (await serverCaller()).models.forJob({ plugin: plugin.id, options });
  return (
    <>
      <PageHeader title={plugin.title} description={plugin.description} />
      <PluginForm
        plugin={{
          id: plugin.id,
          title: plugin.title,
          schema: plugin.schema,
          assetFields: plugin.assetFields,
        }}
        limits={uploadLimits()}
        initialModels={{ options, models }}
      />
    </>
  );
}
