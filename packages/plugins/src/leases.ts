// The model leases a job holds, what its metadata says about each, and optional models.
import { type ModelLease, ModelMissingError, type ModelSession } from '@visage/inference';

export type Acquire = (id: string) => Promise<ModelLease>;

/** What a job's metadata says about each model it ran. */
export interface ModelUse {
  id: string;
  /** What the model did in the job ("detector", "swapper", "warping"…). */
  role: string;
  provider: string;
  precision: string | null;
  sha256: string | null;
}

/** `acquire(id)`, or null when the model is not installed (for optional and "auto" models). */
export async function acquireIfInstalled(acquire: Acquire, id: string): Promise<ModelLease | null> {
  try {
    return await acquire(id);
  } catch (error) {
    // A damaged file is not "not installed": the user must hear about it.
    if (error instanceof ModelMissingError && error.models.every((m) => m.state !== 'corrupt')) return null;
    throw error;
  }
}

export class LeaseSet {
  readonly used: ModelUse[] = [];
  readonly #leases: ModelLease[] = [];

  /** Keeps the lease (released by `release`) and records its use; returns its session. */
  take(lease: ModelLease, role: string) {
    this.#leases.push(lease);
    this.used.push({
      id: lease.id,
      role,
      provider: lease.session.provider,
      precision: lease.location.precision ?? null,
      sha256: lease.location.sha256 ?? null,
    });
    return lease.session;
  }

  /** `acquire(id)` kept under `role`; a model that is not installed throws (with the pull command). */
  async required(acquire: Acquire, id: string, role: string): Promise<ModelSession> {
    return this.take(await acquire(id), role);
  }

  /**
   * `acquire(id)` kept under `role`, or null when the model is not installed (optional and "auto"
   * models); a damaged file still throws.
   */
  async ifInstalled(acquire: Acquire, id: string, role: string): Promise<ModelSession | null> {
    const lease = await acquireIfInstalled(acquire, id);
    return lease ? this.take(lease, role) : null;
  }

  /** Releases every lease; safe to call twice. */
  release(): void {
    for (const lease of this.#leases.splice(0)) lease.release();
  }
}
