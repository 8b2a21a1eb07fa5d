/**
 * {@linkcode Catalog}: the named tables of a lakehouse (a local folder or an `az://` location: see
 * `storage.ts`) with their layer, relative path, partition columns, description and key columns,
 * each opened as a {@linkcode DeltaTable}.
 *
 * @module
 */

import { DeltaError } from "./errors.ts";
import { DeltaTable } from "./table.ts";
import { joinLocation, locate, normaliseLocation } from "./storage.ts";

/** Declaration of one table. */
export interface TableDefinition {
  /** Table name, unique in the catalog (French snake_case, e.g. `eco2mix_silver`). */
  name: string;
  /** Medallion layer (`bronze`, `silver`, `gold`). */
  layer: string;
  /** Folder relative to the lakehouse root (default `<layer>/<name>`). */
  path?: string;
  /** Partition columns, in directory order. */
  partitionColumns?: string[];
  /** What the table holds (written to `metaData.description`). */
  description?: string;
  /** Key columns (default keys of `merge`). */
  keyColumns?: string[];
  /** Extra table properties (`delta.*`). */
  configuration?: Record<string, string>;
}

/**
 * The tables of a lakehouse rooted at a local folder or an `az://` location.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { Catalog } from "./catalog.ts";
 * const root = await Deno.makeTempDir();
 * const catalog = new Catalog(root, [
 *   { name: "mesures", layer: "silver", partitionColumns: ["annee"], keyColumns: ["annee", "id"] },
 * ]);
 * const t = catalog.table("mesures");
 * await t.append(pl.DataFrame({ annee: [2025], id: [1], mw: [10.5] }));
 * assert.equal(t.root, `${root}/silver/mesures`);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class Catalog {
  /** Lakehouse root: an absolute folder or an `az://` location. */
  readonly root: string;
  readonly #tables = new Map<string, TableDefinition>();

  /** A catalog of these definitions under `root` (names must be unique). */
  constructor(root: string, definitions: TableDefinition[] = []) {
    this.root = normaliseLocation(root);
    for (const d of definitions) this.define(d);
  }

  /** Adds a table definition. */
  define(definition: TableDefinition): void {
    if (this.#tables.has(definition.name)) {
      throw new DeltaError(`table ${definition.name} is defined twice in the catalog`);
    }
    this.#tables.set(definition.name, definition);
  }

  /** All definitions, in declaration order. */
  list(): TableDefinition[] {
    return [...this.#tables.values()];
  }

  /** Location of a table (an absolute folder or an `az://` location). */
  pathOf(name: string): string {
    const d = this.#definition(name);
    return joinLocation(this.root, d.path ?? `${d.layer}/${d.name}`);
  }

  /** The table handle (the table need not exist yet: the first write creates it). */
  table(name: string): DeltaTable {
    const d = this.#definition(name);
    return new DeltaTable(this.pathOf(name), {
      name: d.name,
      description: d.description,
      partitionColumns: d.partitionColumns,
      keyColumns: d.keyColumns,
      configuration: d.configuration,
    });
  }

  /**
   * Creates the root and one folder per layer of the defined tables (tables themselves are
   * created by their first write); returns the layer locations by layer name. Object storage has
   * no folders: there, nothing is created.
   */
  async createLayout(): Promise<Record<string, string>> {
    const layers: Record<string, string> = {};
    for (const d of this.#tables.values()) layers[d.layer] ??= joinLocation(this.root, d.layer);
    for (const dir of Object.values(layers)) {
      const { storage, key } = locate(dir);
      const local = storage.localPath(key);
      if (local) await Deno.mkdir(local, { recursive: true });
    }
    return layers;
  }

  /** Names of the defined tables that exist on disk. */
  async existing(): Promise<string[]> {
    const out: string[] = [];
    for (const name of this.#tables.keys()) {
      if (await this.table(name).exists()) out.push(name);
    }
    return out;
  }

  #definition(name: string): TableDefinition {
    const d = this.#tables.get(name);
    if (!d) {
      throw new DeltaError(
        `unknown table ${name} (catalog has: ${[...this.#tables.keys()].join(", ") || "none"})`,
      );
    }
    return d;
  }
}
