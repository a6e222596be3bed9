// An onnxruntime-node session created with the device's provider chain, falling back provider by
// provider (onnxruntime-node does not fall back by itself), with feeds checked against the
// model's declared inputs and every run timed (docs/platform.md §4.2). A model file's external data
// files are checked first (external-data.ts).
import { type ProviderName, providerOption } from '@visage/device';
import * as ort from 'onnxruntime-node';
import { checkExternalData } from './external-data.ts';

export interface TensorInfo {
  name: string;
  type: string;
  /** Numbers are fixed sizes, strings symbolic ones ("batch"), as the model declares them. */
  shape: readonly (number | string)[];
}

export interface SessionLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface CreateSessionOptions {
  /** Shown in errors and logs, e.g. "inswapper_128". */
  id: string;
  /** Tried in order; the first that loads is used. */
  providers: readonly ProviderName[];
  log: SessionLogger;
  gpuIndex?: number;
}

export class FeedError extends Error {
  override name = 'FeedError';
}

export interface ModelSession {
  id: string;
  /** The provider the session was created with (the first of the chain that loaded). */
  provider: ProviderName;
  /** Providers that failed to load first, with why. */
  fallbacks: { provider: ProviderName; reason: string }[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  stats(): { runs: number; totalMs: number; lastMs: number };
  release(): Promise<void>;
}

function describeValues(values: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return values.map((v) =>
    v.isTensor
      ? { name: v.name, type: v.type, shape: v.shape }
      : { name: v.name, type: 'non-tensor', shape: [] },
  );
}

/** Checks names, element types and fixed dimensions; the message names the first mismatch. */
export function checkFeeds(id: string, inputs: TensorInfo[], feeds: Record<string, ort.Tensor>): void {
  const expected = inputs.map((i) => i.name);
  const missing = expected.filter((name) => !(name in feeds));
  const unknown = Object.keys(feeds).filter((name) => !expected.includes(name));
  if (missing.length || unknown.length) {
    throw new FeedError(
      `${id}: ${missing.length ? `missing input(s) ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}` +
        `${unknown.length ? `unknown input(s) ${unknown.join(', ')}` : ''} (the model takes ${expected.join(', ')})`,
    );
  }
  for (const input of inputs) {
    const tensor = feeds[input.name] as ort.Tensor;
    if (input.type !== 'non-tensor' && tensor.type !== input.type) {
      throw new FeedError(`${id}: input "${input.name}" must be ${input.type}, got ${tensor.type}`);
    }
    const dims = tensor.dims;
    const wrongRank = input.shape.length > 0 && dims.length !== input.shape.length;
    const wrongDim = input.shape.some((d, i) => typeof d === 'number' && d > 0 && dims[i] !== d);
    if (wrongRank || wrongDim) {
      throw new FeedError(
        `${id}: input "${input.name}" must have shape [${input.shape.join(', ')}], got [${dims.join(', ')}]`,
      );
    }
  }
}

export async function createSession(
  model: string | Uint8Array,
  options: CreateSessionOptions,
): Promise<ModelSession> {
  const { id, providers, log } = options;
  if (providers.length === 0) throw new Error(`${id}: no execution provider to run it on`);
  // A missing or truncated external data file is named, with the fix, before ONNX Runtime is asked.
  if (typeof model === 'string') await checkExternalData(id, model);
  const fallbacks: ModelSession['fallbacks'] = [];
  for (let i = 0; i < providers.length; i++) {
    const provider = providers[i] as ProviderName;
    try {
      // One provider at a time: given a list, onnxruntime-node may skip an unavailable one silently,
      // and the provider actually used would be unknown. (Nodes a GPU provider cannot run still
      // go to onnxruntime's built-in CPU fallback.)
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: [providerOption(provider, options.gpuIndex ?? 0)],
        graphOptimizationLevel: 'all',
        // Errors only: onnxruntime's warnings are about the files (e.g. BlazeFace's unused
        // initializers, on every load), not about anything a user can act on; failures still throw.
        logSeverityLevel: 3,
      };
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, sessionOptions)
          : await ort.InferenceSession.create(model, sessionOptions);
      if (fallbacks.length) log.warn({ model: id, provider, fallbacks }, `${id}: running on ${provider}`);
      return wrap(id, provider, fallbacks, session);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0] ?? String(error);
      if (i === providers.length - 1) {
        throw new Error(`${id}: could not create a session on ${providers.join(' or ')}: ${reason}`, {
          cause: error,
        });
      }
      fallbacks.push({ provider, reason });
      log.warn(
        { model: id, provider, reason },
        `${id}: ${provider} execution provider failed; trying ${providers[i + 1]}`,
      );
    }
  }
  throw new Error('unreachable');
}

function wrap(
  id: string,
  provider: ProviderName,
  fallbacks: ModelSession['fallbacks'],
  session: ort.InferenceSession,
): ModelSession {
  const inputs = describeValues(session.inputMetadata);
  const outputs = describeValues(session.outputMetadata);
  let runs = 0;
  let totalMs = 0;
  let lastMs = 0;
  return {
    id,
    provider,
    fallbacks,
    inputs,
    outputs,
    async run(feeds) {
      checkFeeds(id, inputs, feeds);
      const started = performance.now();
      try {
        const result = await session.run(feeds);
        return result as Record<string, ort.Tensor>;
      } catch (error) {
        const shapes = Object.entries(feeds).map(([name, t]) => `${name}: ${t.type}[${t.dims.join(', ')}]`);
        throw new Error(
          `${id}: inference failed with inputs ${shapes.join('; ')}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      } finally {
        lastMs = performance.now() - started;
        totalMs += lastMs;
        runs++;
      }
    },
    stats: () => ({ runs, totalMs, lastMs }),
    release: () => session.release(),
  };
}

export { ort };
