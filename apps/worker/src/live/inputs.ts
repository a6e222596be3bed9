// What a session may read: the assets its options name, checked again against the ticket's user
// (an asset may have been deleted or unshared since the ticket was issued), and the close code a
// failure to start maps to.
import type { Db } from '@visage/db';
import { LIVE_CLOSE, type LiveTicket } from '@visage/db/live';
import type { MediaStore } from '@visage/db/media';
import { ModelMissingError } from '@visage/inference';
import {
  type AssetAccess,
  type InputAsset,
  liveDescriptors,
  PluginInputError,
  referencedAssets,
} from '@visage/plugins';
import { ZodError } from 'zod';
import { inputAssetOf } from '../input-asset.ts';

/** Ends a session with a close code and a reason meant for the user. */
export class LiveClose extends Error {
  override name = 'LiveClose';
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
  }

  /** The code and reason for any error that stopped a session from starting. */
  static from(error: unknown): { code: number; reason: string } {
    if (error instanceof LiveClose) return { code: error.code, reason: error.reason };
    const message = (error as Error).message ?? String(error);
    if (error instanceof PluginInputError || error instanceof ModelMissingError || error instanceof ZodError)
      return { code: LIVE_CLOSE.input, reason: message };
    return { code: LIVE_CLOSE.failed, reason: `The session could not start: ${message}` };
  }
}

/** A close frame's reason must fit in 123 bytes of UTF-8 (the whole text goes in an `ended` message). */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 123) return text;
  return `${bytes
    .subarray(0, 120)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}…`;
}

export async function openLiveInputs(
  db: Db,
  media: MediaStore,
  ticket: LiveTicket,
): Promise<Pick<AssetAccess, 'input'>> {
  const descriptor = liveDescriptors.find((d) => d.id === ticket.plugin);
  if (!descriptor) throw new LiveClose(LIVE_CLOSE.protocol, `${ticket.plugin} has no live mode`);
  const ids = referencedAssets(descriptor, ticket.options).flatMap((ref) => ref.ids);
  const teams = await db.member.findMany({
    where: { userId: ticket.userId },
    select: { organizationId: true },
  });
  const rows = await db.asset.findMany({
    where: {
      id: { in: ids },
      OR: [{ ownerId: ticket.userId }, { organizationId: { in: teams.map((t) => t.organizationId) } }],
    },
  });
  const missing = ids.filter((id) => !rows.some((row) => row.id === id));
  if (missing.length)
    throw new LiveClose(LIVE_CLOSE.assetNotFound, `Asset ${missing[0]} not found (deleted, or not yours)`);
  return {
    async input(assetId): Promise<InputAsset> {
      const asset = rows.find((row) => row.id === assetId);
      if (!asset) throw new Error(`Asset ${assetId} is not an input of this live session`);
      return inputAssetOf(asset, media);
    },
  };
}
