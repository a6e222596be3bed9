// Upload a file, submit a job, follow its progress, download the result — with an API key.
//
//   VISAGE_URL=http://localhost:3000 VISAGE_API_KEY=visage_… \
//   pnpm --filter @visage/scripts exec tsx examples/submit-and-wait.ts photo.png --plugin test \
//     --input '{"steps": 5}' --field image --out result.png
//
// --field names the plugin input that receives the uploaded asset's id (e.g. "target" for faceswap).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createVisageClient } from '@visage/api/client';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    plugin: { type: 'string', default: 'test' },
    input: { type: 'string', default: '{}' },
    field: { type: 'string', default: 'image' },
    out: { type: 'string', default: 'result' },
  },
});

const url = process.env.VISAGE_URL ?? 'http://localhost:3000';
const apiKey = process.env.VISAGE_API_KEY;
const file = positionals[0];
if (!apiKey || !file) {
  console.error(
    'Usage: VISAGE_API_KEY=… tsx examples/submit-and-wait.ts <file> [--plugin id] [--input json] [--field name] [--out path]',
  );
  process.exit(2);
}

const visage = createVisageClient({ url, apiKey });
const asset = await visage.upload(file);
console.log(`uploaded ${file} as asset ${asset.id} (${asset.mime}, ${asset.bytes} bytes)`);

const input = { ...(JSON.parse(values.input) as Record<string, unknown>), [values.field]: asset.id };
const job = await visage.trpc.jobs.create.mutate({ plugin: values.plugin, input });
console.log(`job ${job.id} queued`);

const final = await new Promise<{ status: string; error: string | null }>((resolve, reject) => {
  visage.trpc.jobs.onUpdate.subscribe(
    { id: job.id },
    {
      onData: ({ data }) => {
        console.log(
          `${data.status.padEnd(9)} ${(data.progress * 100).toFixed(0).padStart(3)}%  ${data.stage ?? ''}`,
        );
        if (['succeeded', 'failed', 'cancelled'].includes(data.status)) resolve(data);
      },
      onError: reject,
    },
  );
});
if (final.status !== 'succeeded') {
  console.error(`job ${final.status}${final.error ? `: ${final.error}` : ''}`);
  process.exit(1);
}

const detail = await visage.trpc.jobs.get.query({ id: job.id });
for (const output of detail.assets.filter((a) => a.role === 'output')) {
  const { data, mime } = await visage.download(output.assetId);
  const extension = mime.split('/')[1] ?? 'bin';
  const target = values.out.includes('.') ? values.out : `${values.out}-${output.slot}.${extension}`;
  await writeFile(target, data);
  console.log(`saved ${output.slot} (${mime}, ${data.length} bytes) to ${target}`);
}
process.exit(0);
