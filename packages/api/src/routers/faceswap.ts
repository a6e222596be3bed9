// The face swap's studio helpers: the faces of a target, for face mapping (docs/models/face.md §8.5),
// found by a worker (target-faces.ts).
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { notFound, visibleAssets } from '../access.ts';
import { protectedProcedure, router } from '../trpc.ts';

export const faceswapRouter = router({
  /**
   * The faces on an image the caller may read, or on frame `frame` of a video, left to right: each
   * box in the picture's pixels and a square JPEG thumbnail as a data URL.
   */
  targetFaces: protectedProcedure
    .input(z.object({ asset: z.uuid(), frame: z.int().min(0).optional() }))
    .query(async ({ ctx, input }) => {
      const asset = await ctx.db.asset.findFirst({
        where: { id: input.asset, ...visibleAssets(ctx.caller) },
        select: { id: true },
      });
      if (!asset) throw notFound('Asset', input.asset);
      if (!ctx.targetFaces)
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: 'Face swap is not enabled on this installation',
        });
      const found = await ctx.targetFaces.find({ assetId: asset.id, frame: input.frame ?? null });
      return {
        ...found,
        faces: found.faces.map((face) => ({
          ...face,
          thumbnail: `data:image/jpeg;base64,${face.thumbnail}`,
        })),
      };
    }),
});
