import { isAbsolute } from 'node:path';
import { TRPCError, tracked } from '@trpc/server';
import { ChecksumError, PRECISIONS, UnknownModelError } from '@visage/inference/models';
import { modelNeeds, pluginDescriptors } from '@visage/plugins/schemas';
import { z } from 'zod';
import { PullRefusedError } from '../model-pulls.ts';
import { adminProcedure, protectedProcedure, router } from '../trpc.ts';

const modelId = z.string().min(1);

/** An unknown id or a model without a download is the caller's mistake, with a message to show. */
function asBadRequest(error: unknown): never {
  if (error instanceof UnknownModelError || error instanceof PullRefusedError) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: error.message, cause: error });
  }
  throw error;
}

export const modelsRouter = router({
  /**
   * The models a job of `plugin` with these form options would use — required ones first, then those
   * used when installed — with install state and licence, so the studio can say before a job runs
   * what is missing and what is non-commercial. Options that do not parse count as their defaults.
   */
  forJob: protectedProcedure
    .input(z.object({ plugin: z.string().min(1), options: z.record(z.string(), z.unknown()) }))
    .query(async ({ ctx, input }) => {
      const descriptor = pluginDescriptors.find((d) => d.id === input.plugin);
      if (!descriptor || !ctx.plugins.includes(descriptor.id)) {
        throw new TRPCError({ code: 'NOT_FOUND', message: `Unknown plugin "${input.plugin}"` });
      }
      const { required, optional } = modelNeeds(descriptor, input.options);
      const row = async (id: string, isRequired: boolean) => {
        try {
          const { entry, installed } = await ctx.modelStore.status(id);
          return {
            id: entry.id,
            title: entry.title,
            required: isRequired,
            inCatalog: true,
            installed,
            bytes: entry.bytes,
            licence: entry.licence,
            availability: entry.availability,
            pullCommand: `pnpm visage models pull ${entry.id}`,
          };
        } catch (error) {
          if (!(error instanceof UnknownModelError)) throw error;
          // A free-form model option (the test plugin's) may name anything: say it is not in the catalog.
          return {
            id,
            title: id,
            required: isRequired,
            inCatalog: false,
            installed: false,
            bytes: null,
            licence: null,
            availability: null,
            pullCommand: null,
          };
        }
      };
      return Promise.all([...required.map((id) => row(id, true)), ...optional.map((id) => row(id, false))]);
    }),

  /** Every model in the catalog: size, licence (non-commercial flagged), install state, a pull in progress. */
  list: protectedProcedure.query(async ({ ctx }) => {
    const statuses = await ctx.modelStore.list();
    return statuses.map(({ entry, installed, variants }) => ({
      id: entry.id,
      title: entry.title,
      plugin: entry.plugin,
      bytes: entry.bytes,
      licence: entry.licence,
      availability: entry.availability,
      note: entry.note ?? null,
      installed,
      // partBytes: an interrupted download that pulling again resumes; reason: why a file is damaged.
      variants: variants.map((v) => ({
        precision: v.precision,
        state: v.state,
        reason: v.reason ?? null,
        partBytes: v.partBytes,
      })),
      pull: ctx.modelPulls.get(entry.id),
      pullCommand: `pnpm visage models pull ${entry.id}`,
      /** For an offline machine: what to run where the file is. */
      importCommand: `pnpm visage models import ${entry.id} <file>`,
    }));
  }),

  /** Downloads a model (admins only); follow it with onPull. */
  pull: adminProcedure
    .input(z.object({ id: modelId, precision: z.enum(PRECISIONS).optional() }))
    .mutation(({ ctx, input }) => {
      try {
        return ctx.modelPulls.start(input.id, input.precision);
      } catch (error) {
        return asBadRequest(error);
      }
    }),

  cancelPull: adminProcedure.input(z.object({ id: modelId })).mutation(({ ctx, input }) => {
    if (!ctx.modelPulls.cancel(input.id)) {
      throw new TRPCError({ code: 'CONFLICT', message: `No download of ${input.id} is running` });
    }
    return { id: input.id };
  }),

  onPull: adminProcedure.input(z.object({ id: modelId })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    try {
      for await (const progress of ctx.modelPulls.watch(input.id, abort.signal)) {
        yield tracked(`${progress.state}-${progress.received}`, progress);
      }
    } catch (error) {
      if (abort.signal.aborted) return; // the client went away
      throw error;
    } finally {
      abort.abort();
    }
  }),

  /**
   * Installs a file that is already on the server (copied over by hand on an offline machine),
   * after checking its checksum when the catalog knows it. Admins only: it reads a server path.
   */
  import: adminProcedure
    .input(z.object({ id: modelId, path: z.string().min(1), precision: z.enum(PRECISIONS).optional() }))
    .mutation(async ({ ctx, input }) => {
      if (!isAbsolute(input.path)) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `Give the file's absolute path on the server (got "${input.path}")`,
        });
      }
      try {
        return await ctx.modelStore.import(input.id, input.path, input.precision);
      } catch (error) {
        if (error instanceof ChecksumError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new TRPCError({ code: 'BAD_REQUEST', message: (error as Error).message, cause: error });
        }
        return asBadRequest(error);
      }
    }),

  /** Re-hashes installed files against the catalog's checksums (admins only: it reads gigabytes). */
  verify: adminProcedure.input(z.object({ id: modelId.optional() })).mutation(async ({ ctx, input }) => {
    try {
      return await ctx.modelStore.verify(input.id);
    } catch (error) {
      return asBadRequest(error);
    }
  }),
});
