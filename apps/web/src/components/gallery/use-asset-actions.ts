'use client';
import { type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { downloadName, MAX_BULK_FILES, MAX_ZIP_BYTES } from '@/lib/bulk';
import { refetchAfterWrite } from '@/lib/refetch-after-write';
import { formatBytes } from '@/lib/upload';
import { useTRPC } from '@/trpc/react';
import type { AssetSummary } from '@/trpc/types';

type Page = { items: AssetSummary[]; nextCursor: string | null };
type Cached = Page | { pages: Page[]; pageParams: unknown[] } | undefined;

/** Rewrites the items of every cached assets.list, paged (gallery) or not (library picker). */
function editLists(
  queryClient: QueryClient,
  queryKey: readonly unknown[],
  edit: (items: AssetSummary[]) => AssetSummary[],
) {
  queryClient.setQueriesData<Cached>({ queryKey }, (data) => {
    if (!data) return data;
    if ('pages' in data) return { ...data, pages: data.pages.map((p) => ({ ...p, items: edit(p.items) })) };
    return { ...data, items: edit(data.items) };
  });
}

/** Star (optimistic: the star fills at once and reverts if the server says no) and delete. */
export function useAssetActions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.assets.list.pathKey();

  const star = useMutation(
    trpc.assets.star.mutationOptions({
      onMutate: async ({ id, starred }) => {
        await queryClient.cancelQueries({ queryKey: listKey });
        const previous = queryClient.getQueriesData<Cached>({ queryKey: listKey });
        editLists(queryClient, listKey, (items) => items.map((a) => (a.id === id ? { ...a, starred } : a)));
        return { previous };
      },
      onError: (error, _input, context) => {
        for (const [key, data] of context?.previous ?? []) queryClient.setQueryData(key, data);
        toast.error(`Could not change the star: ${error.message}`);
      },
      onSettled: () => refetchAfterWrite(queryClient, listKey),
    }),
  );

  const remove = useMutation(
    trpc.assets.deleteMany.mutationOptions({
      onSuccess: ({ ids }) => {
        editLists(queryClient, listKey, (items) => items.filter((a) => !ids.includes(a.id)));
        toast.success(ids.length === 1 ? 'Deleted' : `Deleted ${ids.length} files`);
      },
      onError: (error) => toast.error(`Could not delete: ${error.message}`),
      onSettled: () => refetchAfterWrite(queryClient, listKey),
    }),
  );

  return { star, remove };
}

export const fileNameOf = (asset: AssetSummary) =>
  downloadName({ ...asset, createdAt: new Date(asset.createdAt), plugin: asset.job?.plugin ?? null });

/**
 * Downloads the assets as one zip. A submitted form (not fetch) lets the browser stream the file to
 * disk itself, however large; the limits are checked here first so an error never replaces the page.
 */
export function downloadZip(assets: AssetSummary[]) {
  if (assets.length > MAX_BULK_FILES) {
    toast.error(`Select up to ${MAX_BULK_FILES} files to download at once`);
    return;
  }
  const bytes = assets.reduce((sum, a) => sum + Number(a.bytes), 0);
  if (bytes > MAX_ZIP_BYTES) {
    toast.error(`These come to ${formatBytes(bytes)}; download up to ${formatBytes(MAX_ZIP_BYTES)} at once`);
    return;
  }
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = '/api/assets/zip';
  form.hidden = true;
  for (const asset of assets) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'ids';
    input.value = asset.id;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
  form.remove();
}
