// Compact, column-oriented row accumulation for the lake tables, and the Parquet schema each
// column maps to. A snapshot can reach a million playlist entries: rows are kept as one
// array per column (numbers in typed arrays; strings as given, which callers share between
// rows, see SongValueCache) instead of one object per row, and become Parquet column data
// part by part.

import type { ColumnSource, SchemaElement } from "hyparquet-writer";

export type ColumnKind = "string" | "int32" | "int64" | "boolean" | "timestamp" | "stringList";

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** OPTIONAL in Parquet when true; REQUIRED otherwise, so a null there is a bug the writer refuses. */
  readonly nullable: boolean;
}

/** A value as a row builder hands it over, before it is stored in its column. */
export type CellValue = string | number | boolean | null | readonly string[];

/**
 * The Parquet schema elements of one column. Lists are the standard 3-level form
 * (`<name> (LIST) { repeated group list { optional binary element (UTF8) } }`), which Glue
 * and Athena read as array<string> and DuckDB as VARCHAR[].
 */
export function schemaElements(column: ColumnSpec): SchemaElement[] {
  const repetition_type = column.nullable ? "OPTIONAL" : "REQUIRED";
  const name = column.name;
  switch (column.kind) {
    case "string":
      return [{ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type }];
    case "int32":
      return [{ name, type: "INT32", repetition_type }];
    case "int64":
      return [{ name, type: "INT64", repetition_type }];
    case "boolean":
      return [{ name, type: "BOOLEAN", repetition_type }];
    case "timestamp":
      return [{ name, type: "INT64", converted_type: "TIMESTAMP_MILLIS", repetition_type }];
    case "stringList":
      return [
        { name, converted_type: "LIST", repetition_type, num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        {
          name: "element",
          type: "BYTE_ARRAY",
          converted_type: "UTF8",
          repetition_type: "OPTIONAL",
        },
      ];
  }
}

// Numbers live in typed arrays; NaN marks null in the nullable ones (no Spotify number
// here is NaN: values are validated as integers before they are stored).
class NumberColumn {
  private data: Float64Array | Int32Array;
  length = 0;

  constructor(private readonly int32: boolean) {
    this.data = int32 ? new Int32Array(1024) : new Float64Array(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = this.int32
        ? new Int32Array(this.data.length * 2)
        : new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index]!;
  }
}

type Storage = { kind: "values"; values: unknown[] } | { kind: "numbers"; numbers: NumberColumn };

/** Accumulates the rows of one table, column by column, and slices them into Parquet column data. */
export class TableBuilder {
  private readonly storage: Storage[];
  private rowCount = 0;

  constructor(readonly columns: readonly ColumnSpec[]) {
    this.storage = columns.map((c) =>
      c.kind === "int32" && !c.nullable
        ? { kind: "numbers", numbers: new NumberColumn(true) }
        : c.kind === "int32" || c.kind === "int64" || c.kind === "timestamp"
          ? { kind: "numbers", numbers: new NumberColumn(false) }
          : { kind: "values", values: [] },
    );
  }

  get length(): number {
    return this.rowCount;
  }

  /** Appends one row, a value for every column by name. */
  push(row: Readonly<Record<string, CellValue>>): void {
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i]!;
      const value = row[column.name];
      if (value === undefined) throw new Error(`row has no value for column ${column.name}`);
      if (value === null && !column.nullable) {
        throw new Error(`column ${column.name} is not nullable but got null`);
      }
      const storage = this.storage[i]!;
      if (storage.kind === "numbers") {
        storage.numbers.push(value === null ? Number.NaN : (value as number));
      } else {
        storage.values.push(value);
      }
    }
    this.rowCount++;
  }

  /** Reads back one cell (used for sort keys). */
  cell(column: number, row: number): CellValue {
    const storage = this.storage[column]!;
    if (storage.kind === "values") return storage.values[row] as CellValue;
    const n = storage.numbers.at(row);
    return Number.isNaN(n) ? null : n;
  }

  /**
   * Column data for the rows `order[start..end)` (or `start..end` in insertion order),
   * in the JS representation hyparquet-writer expects for each physical type.
   */
  columnData(start: number, end: number, order?: Uint32Array): ColumnSource[] {
    const count = end - start;
    const rowAt = order ? (i: number) => order[start + i]! : (i: number) => start + i;
    return this.columns.map((column, c) => {
      const storage = this.storage[c]!;
      if (storage.kind === "values") {
        const data = new Array<unknown>(count);
        for (let i = 0; i < count; i++) data[i] = storage.values[rowAt(i)];
        return { name: column.name, data };
      }
      const numbers = storage.numbers;
      if (column.kind === "int32" && !column.nullable) {
        const data = new Int32Array(count);
        for (let i = 0; i < count; i++) data[i] = numbers.at(rowAt(i));
        return { name: column.name, data };
      }
      // INT64 physical values must be bigints: plain numbers break the writer's encoders.
      const asBigInt = column.kind !== "int32";
      const data = new Array<number | bigint | null>(count);
      for (let i = 0; i < count; i++) {
        const n = numbers.at(rowAt(i));
        data[i] = Number.isNaN(n) ? null : asBigInt ? BigInt(n) : n;
      }
      return { name: column.name, data };
    });
  }
}
