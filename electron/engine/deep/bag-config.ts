import { z } from 'zod';
import { HilumError } from '../core/errors.js';

/**
 * How a 2.5D slice bag is cut from a CT and its tumour mask. Frozen with a model: the same numbers
 * must be used when the backbone is trained and when it is applied, so they live in its card.
 */
export const BagConfigSchema = z
  .object({
    /** Spacing (mm) of the isotropic grid on which the largest tumour slice and the offsets are found. */
    spacingMm: z.number().positive().max(5),
    /** Axial slice offsets (in units of spacingMm) from the largest tumour slice; 0 must be one of them. */
    offsets: z.array(z.number().int().min(-20).max(20)).min(1).max(21),
    /**
     * Offsets beyond the tumour's first or last slice: clamped to that slice (absent or false), or
     * taken as given (true), so the bag also holds slices through the tissue above and below the
     * tumour, where satellites and strands lie.
     */
    offsetsBeyondTumour: z.boolean().optional(),
    /**
     * Neighbouring planes stacked as channels of every bag slice (the classic 2.5D input): offsets
     * (in units of spacingMm, along the slice's normal) of the planes read around it, 0 the slice
     * itself. Absent: [0], one plane. A satellite nodule (a ball) shows in one or two of these planes
     * while a vessel (a tube) runs through all of them, which one plane cannot tell apart. The
     * neighbours are never clamped to the tumour.
     */
    sliceChannels: z.array(z.number().int().min(-10).max(10)).min(1).max(5).optional(),
    /** Extra planes through the tumour's centroid. */
    planes: z.array(z.enum(['coronal', 'sagittal'])).max(2),
    /** HU windows, one channel each: [low, high] mapped to [0, 1] and clipped. */
    windows: z
      .array(z.tuple([z.number(), z.number()]))
      .min(1)
      .max(4),
    /** Per-channel normalisation after windowing: (x − mean) / std. */
    channelMean: z.array(z.number()),
    channelStd: z.array(z.number().positive()),
    /** Margin (mm) added around the tumour's largest in-plane extent on every side, and the smallest crop side (mm). */
    cropMarginMm: z.number().min(0).max(100),
    minCropMm: z.number().positive().max(300),
    /** Output size in pixels (square). */
    sizePx: z.number().int().min(16).max(512),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.offsets.includes(0)) ctx.addIssue({ code: 'custom', message: 'offsets must include 0 (the largest tumour slice)' });
    if (new Set(c.offsets).size !== c.offsets.length) ctx.addIssue({ code: 'custom', message: 'offsets must be distinct' });
    if (c.sliceChannels && !c.sliceChannels.includes(0)) ctx.addIssue({ code: 'custom', message: 'sliceChannels must include 0 (the slice itself)' });
    if (c.sliceChannels && new Set(c.sliceChannels).size !== c.sliceChannels.length)
      ctx.addIssue({ code: 'custom', message: 'sliceChannels must be distinct' });
    if (c.channelMean.length !== c.windows.length || c.channelStd.length !== c.windows.length)
      ctx.addIssue({ code: 'custom', message: 'channelMean and channelStd need one value per window' });
    if (c.windows.some(([lo, hi]) => !(hi > lo))) ctx.addIssue({ code: 'custom', message: 'every window needs high > low' });
  });

export type BagConfig = z.infer<typeof BagConfigSchema>;

/**
 * The default of this family of papers, sized for a CPU-trainable backbone: 1 mm grid, the largest
 * slice and offsets ±1, ±2, ±4 (7 slices), three windows (lung, mediastinum, wide), a crop of the
 * tumour plus 10 mm of surroundings (where satellites, strands and halo lie), 64 px.
 */
export const DEFAULT_BAG_CONFIG: BagConfig = {
  spacingMm: 1,
  offsets: [-4, -2, -1, 0, 1, 2, 4],
  planes: [],
  windows: [
    [-1350, 150],
    [-160, 240],
    [-1000, 400],
  ],
  channelMean: [0.5, 0.5, 0.5],
  channelStd: [0.25, 0.25, 0.25],
  cropMarginMm: 10,
  minCropMm: 32,
  sizePx: 64,
};

/** The planes read for every bag slice (sliceChannels, or the slice alone). */
export function slicePlanes(config: Pick<BagConfig, 'sliceChannels'>): number[] {
  return config.sliceChannels ?? [0];
}

/** Channels of one bag slice: every window of every plane, plane-major (plane p, window w at p·windows + w). */
export function bagChannels(config: Pick<BagConfig, 'sliceChannels' | 'windows'>): number {
  return slicePlanes(config).length * config.windows.length;
}

/** Validates a bag configuration (from a model card or the user), with a message naming each problem. */
export function parseBagConfig(value: unknown, source = 'bag configuration'): BagConfig {
  const parsed = BagConfigSchema.safeParse(value);
  if (!parsed.success)
    throw new HilumError({
      code: 'INVALID_BAG_CONFIG',
      message: `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`,
    });
  return parsed.data;
}
