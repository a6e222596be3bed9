// Models are installed by the workers, each into its own folder (docs/architecture.md §7.4): this
// router shows what the live workers report and sends them commands. Admins only, except reading.
import { isAbsolute } from 'node:path';
import { TRPCError, tracked } from '@trpc/server';
import type { PullProgress } from '@visage/db/models';
import { modelNeeds, pluginDescriptors } from '@visage/plugins/schemas';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { modelGroups, modelRows, needRows, summarize } from '../models/catalog-view.ts';
import { anySucceeded } from '../models/commands.ts';
import { adminProcedure, protectedProcedure, router } from '../trpc.ts';
import { modelStateView } from '../worker-view.ts';

const modelId = z.string().min(1);
/** Checked by the worker against the model's variants. */
const precision = z.string().min(1).max(20).optional();
/** One worker; omitted: every live worker. */
const workerId = z.string().min(1).optional();

export interface PullUpdate extends PullProgress {
  workerId: string;
}

/** The workers' model states as this caller may see them (host and folder for admins only). */
async function visibleStates(ctx: Context & { caller: NonNullable<Context['caller']> }) {
  const states = await ctx.modelCommands.states();
  return states.map((s) => modelStateView(ctx.caller, ctx.live.secret, s));
}

export const modelsRouter = router({
  /**
   * The models a job of `plugin` with these form options would use — required ones first, then those
   * used when installed — with install state on the live workers serving the plugin, and licence, so
   * the studio can say before a job runs what is missing and what is non-commercial. Options that do
   * not parse count as their defaults.
   */
  forJob: protectedProcedure
    .input(z.object({ plugin: z.string().min(1), options: z.record(z.string(), z.unknown()) }))
    .query(async ({ ctx, input }) => {
      const descriptor = pluginDescriptors.find((d) => d.id === input.plugin);
      if (!descriptor || !ctx.plugins.includes(descriptor.id)) {
        throw new TRPCError({ code: 'NOT_FOUND', message: `Unknown plugin "${input.plugin}"` });
      }
      const states = await visibleStates(ctx);
      return {
        /** The live workers that run this plugin's jobs. */
        workers: states.filter((s) => s.plugins.includes(descriptor.id)).map(summarize),
        models: needRows(modelNeeds(descriptor, input.options), states, descriptor.id),
      };
    }),

  /**
   * The catalog as the live workers know it: size, licence (non-commercial flagged), and each
   * worker's install state and download. No worker connected: no models (workers install them).
   */
  list: protectedProcedure.query(async ({ ctx }) => {
    const states = await visibleStates(ctx);
    const models = modelRows(states);
    return { workers: states.map(summarize), groups: modelGroups(models), models };
  }),

  /** Downloads a model on one worker or on all (admins only); follow it with onPull. */
  pull: adminProcedure
    .input(z.object({ id: modelId, precision, workerId }))
    .mutation(async ({ ctx, input }) =>
      anySucceeded(
        await ctx.modelCommands.send(
          { kind: 'pull', id: input.id, precision: input.precision },
          input.workerId,
        ),
      ),
    ),

  cancelPull: adminProcedure.input(z.object({ id: modelId, workerId })).mutation(async ({ ctx, input }) => {
    const outcomes = anySucceeded(
      await ctx.modelCommands.send({ kind: 'cancelPull', id: input.id }, input.workerId),
    );
    const cancelledOn = outcomes.flatMap((o) => (o.ok && o.value.cancelled ? [o.workerId] : []));
    if (cancelledOn.length === 0) {
      throw new TRPCError({ code: 'CONFLICT', message: `No download of ${input.id} is running` });
    }
    return { id: input.id, cancelledOn };
  }),

  /**
   * Progress of a model's downloads (on one worker, or all), relayed from the workers: each
   * worker's latest word first, then every update, until none of them is running.
   */
  onPull: adminProcedure.input(z.object({ id: modelId, workerId })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    const wanted = (worker: string) => input.workerId === undefined || input.workerId === worker;
    try {
      const live = ctx.modelCommands.hub.pulls(input.id, abort.signal); // before reading the states
      const lastSeq = new Map<string, number>();
      const running = new Set<string>();
      const update = (worker: string, progress: PullProgress) => {
        lastSeq.set(worker, progress.seq);
        if (progress.state === 'running') running.add(worker);
        else running.delete(worker);
        return tracked(`${worker}-${progress.seq}`, { ...progress, workerId: worker } satisfies PullUpdate);
      };
      for (const state of await ctx.modelCommands.states()) {
        const pull = state.models.find((m) => m.id === input.id)?.pull;
        if (pull && wanted(state.workerId)) yield update(state.workerId, pull);
      }
      if (running.size === 0) return;
      for await (const { workerId: worker, progress } of live) {
        if (!wanted(worker) || progress.seq <= (lastSeq.get(worker) ?? 0)) continue;
        yield update(worker, progress);
        if (running.size === 0) return;
      }
    } catch (error) {
      if (abort.signal.aborted) return; // the client went away
      throw error;
    } finally {
      abort.abort();
    }
  }),

  /**
   * Installs a model that is already on a worker's host (copied over by hand on an offline machine),
   * after checking its checksums when the catalog knows them: an `.onnx` file, or a folder holding the
   * `.onnx` and its external data files. Admins only: it reads a path on that host.
   */
  import: adminProcedure
    .input(z.object({ id: modelId, path: z.string().min(1), precision, workerId }))
    .mutation(async ({ ctx, input }) => {
      if (!isAbsolute(input.path)) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `Give the absolute path of the file or folder on the worker's host (got "${input.path}")`,
        });
      }
      const { id, path } = input;
      return anySucceeded(
        await ctx.modelCommands.send(
          { kind: 'import', id, path, precision: input.precision },
          input.workerId,
        ),
      );
    }),

  /** Re-hashes installed files against the catalog's checksums (admins only: it reads gigabytes). */
  verify: adminProcedure
    .input(z.object({ id: modelId.optional(), workerId }))
    .mutation(async ({ ctx, input }) =>
      anySucceeded(await ctx.modelCommands.send({ kind: 'verify', id: input.id }, input.workerId)),
    ),
});
