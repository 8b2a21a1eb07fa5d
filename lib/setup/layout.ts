/**
 * The lakehouse's folder layout: one folder per medallion layer under a storage root.
 *
 * @module
 */

import { join, resolve } from "node:path";

/** The medallion layers, in data-flow order. */
export const LAYERS = ["bronze", "silver", "gold"] as const;

/** A storage location this build cannot write to. */
export class StorageLocationError extends Error {
  override name = "StorageLocationError";
}

/** The lakehouse root and its layer folders. */
export interface LakehouseLayout {
  root: string;
  layers: Record<(typeof LAYERS)[number], string>;
}

/**
 * Creates (if needed) the layer folders under `root` and returns their paths. Only local
 * folders are written: cloud URLs (abfss://, s3://…) are refused with the way around.
 *
 * @example
 * ```ts
 * import { createLakehouseLayout } from "./layout.ts";
 * const layout = await createLakehouseLayout(await Deno.makeTempDir());
 * console.assert(Deno.statSync(layout.layers.silver).isDirectory);
 * ```
 */
export async function createLakehouseLayout(root: string): Promise<LakehouseLayout> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root)) {
    throw new StorageLocationError(
      `${root}: only local folders are supported as storage location; mount the remote ` +
        "storage (e.g. blobfuse2 for Azure Data Lake) and pass the mounted folder",
    );
  }
  const abs = resolve(root);
  const layers = Object.fromEntries(LAYERS.map((l) => [l, join(abs, l)])) as LakehouseLayout[
    "layers"
  ];
  for (const dir of Object.values(layers)) await Deno.mkdir(dir, { recursive: true });
  return { root: abs, layers };
}
