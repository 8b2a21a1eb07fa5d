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

/** Declaration of one table; `N` narrows its name (a catalogue's union of table names). */
export interface TableDefinition<N extends string = string> {
  /** Table name, unique in the catalog (French snake_case, e.g. `eco2mix_silver`). */
  name: N;
  /** Medallion layer (`bronze`, `silver`, `gold`). */
  layer: string;
  /** Folder relative to the lakehouse root (default `<layer>/<name>`). */
  path?: string;
  /** Partition columns, in directory order. */
  partitionColumns?: readonly string[];
  /** What the table holds (written to `metaData.description`). */
  description?: string;
  /** Key columns (default keys of `merge`). */
  keyColumns?: readonly string[];
  /** Data columns whose values never share a data file (see `TableOptions.fileSplitColumns`). */
  fileSplitColumns?: readonly string[];
  /** Extra table properties (`delta.*`). */
  configuration?: Record<string, string>;
}

/**
 * A table name given to a {@linkcode Catalog} of names `N`: a literal must be one of `N` (a
 * typo does not compile: "not assignable to parameter of type 'never'"); a name only known at
 * run time (typed `string`) is checked when used, by a {@linkcode DeltaError}.
 */
export type CatalogName<N extends string, T extends string> = T & (string extends T ? T : N);

/**
 * The tables of a lakehouse rooted at a local folder or an `az://` location. `N` is the union of
 * the table names when the definitions are a constant list (`as const`): see
 * {@linkcode CatalogName}.
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
export class Catalog<N extends string = string> {
  /** Lakehouse root: an absolute folder or an `az://` location. */
  readonly root: string;
  readonly #tables = new Map<N, TableDefinition<N>>();

  /** A catalog of these definitions under `root` (names must be unique). */
  constructor(root: string, definitions: readonly TableDefinition<N>[] = []) {
    this.root = normaliseLocation(root);
    for (const d of definitions) this.define(d);
  }

  /** Adds a table definition. */
  define(definition: TableDefinition<N>): void {
    if (this.#tables.has(definition.name)) {
      throw new DeltaError(`table ${definition.name} is defined twice in the catalog`);
    }
    this.#tables.set(definition.name, definition);
  }

  /** All definitions, in declaration order. */
  list(): TableDefinition<N>[] {
    return [...this.#tables.values()];
  }

  /** Location of a table (an absolute folder or an `az://` location). */
  pathOf<T extends string>(name: CatalogName<N, T>): string {
    const d = this.#definition(name);
    return joinLocation(this.root, d.path ?? `${d.layer}/${d.name}`);
  }

  /** The table handle (the table need not exist yet: the first write creates it). */
  table<T extends string>(name: CatalogName<N, T>): DeltaTable {
    const d = this.#definition(name);
    return new DeltaTable(this.pathOf(d.name), {
      name: d.name,
      description: d.description,
      partitionColumns: d.partitionColumns && [...d.partitionColumns],
      keyColumns: d.keyColumns && [...d.keyColumns],
      fileSplitColumns: d.fileSplitColumns && [...d.fileSplitColumns],
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
  async existing(): Promise<N[]> {
    const out: N[] = [];
    for (const name of this.#tables.keys()) {
      if (await this.table(name).exists()) out.push(name);
    }
    return out;
  }

  #definition(name: string): TableDefinition<N> {
    const d = this.#tables.get(name as N);
    if (!d) {
      throw new DeltaError(
        `unknown table ${name} (catalog has: ${[...this.#tables.keys()].join(", ") || "none"})`,
      );
    }
    return d;
  }
}
