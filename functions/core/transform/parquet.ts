// Encodes a table's accumulated rows as SNAPPY Parquet parts. Everything that could vary
// between two runs over the same rows is fixed here (writer name, row group size, no
// key-value metadata), so reruns produce byte-identical files.

import { parquetWriteBuffer, type SchemaElement } from "hyparquet-writer";
import { schemaElements, TableBuilder, type CellValue, type ColumnSpec } from "./columns";

/** `created_by` of every file: fixed, so it never makes two runs' bytes differ. */
const PARQUET_CREATED_BY = "spotify-lake transform (hyparquet-writer 0.17.0)";

/** Rows per file before a table is split into several parts. */
export const DEFAULT_MAX_ROWS_PER_FILE = 250_000;

// Large enough that Athena reads few row groups per file, small enough that the writer's
// per-group buffers stay well inside a Lambda's memory.
const ROW_GROUP_ROWS = 100_000;

function tableSchema(columns: readonly ColumnSpec[]): SchemaElement[] {
  return [{ name: "root", num_children: columns.length }, ...columns.flatMap(schemaElements)];
}

function checkedMaxRows(maxRowsPerFile: number): number {
  if (!Number.isInteger(maxRowsPerFile) || maxRowsPerFile < 1) {
    throw new Error(`maxRowsPerFile must be a positive integer, got ${maxRowsPerFile}`);
  }
  return maxRowsPerFile;
}

/** Row ranges of each part; an empty table still gets one (empty) part that carries its schema. */
function partRanges(rows: number, maxRowsPerFile: number): [number, number][] {
  checkedMaxRows(maxRowsPerFile);
  const ranges: [number, number][] = [];
  for (let start = 0; start < rows || ranges.length === 0; start += maxRowsPerFile) {
    ranges.push([start, Math.min(rows, start + maxRowsPerFile)]);
  }
  return ranges;
}

/** Encodes rows `order[start..end)` of a table (insertion order without `order`) as one file. */
function encodeParquetPart(
  builder: TableBuilder,
  start: number,
  end: number,
  order?: Uint32Array,
): Uint8Array {
  const buffer = parquetWriteBuffer({
    schema: tableSchema(builder.columns),
    columnData: builder.columnData(start, end, order),
    codec: "SNAPPY",
    rowGroupSize: ROW_GROUP_ROWS,
    createdBy: PARQUET_CREATED_BY,
  });
  return new Uint8Array(buffer);
}

/**
 * A table written in insertion order, encoded part by part as its rows arrive: only the
 * current part is kept as column data, finished parts as their (far smaller) Parquet bytes.
 * Memory then follows the part size, not the snapshot size. Each part holds the same rows as
 * the part `partRanges` would give, so the bytes are those of encoding the table at the end.
 * Nothing is written here: the caller stores the parts once the whole run has succeeded.
 */
export class PartEncoder {
  private builder: TableBuilder;
  private readonly parts: Uint8Array[] = [];
  private rows = 0;
  private readonly maxRowsPerFile: number;

  constructor(
    readonly columns: readonly ColumnSpec[],
    maxRowsPerFile: number,
  ) {
    this.maxRowsPerFile = checkedMaxRows(maxRowsPerFile);
    this.builder = new TableBuilder(columns);
  }

  get length(): number {
    return this.rows;
  }

  push(row: Readonly<Record<string, CellValue>>): void {
    this.builder.push(row);
    this.rows++;
    if (this.builder.length === this.maxRowsPerFile) this.flush();
  }

  /** Every part's bytes; an empty table gets one empty part that carries its schema. */
  finish(): Uint8Array[] {
    if (this.builder.length > 0 || this.parts.length === 0) this.flush();
    return this.parts;
  }

  private flush(): void {
    this.parts.push(encodeParquetPart(this.builder, 0, this.builder.length));
    this.builder = new TableBuilder(this.columns);
  }
}

/**
 * A table written sorted by key (its first column, in code-unit order). Rows are kept as
 * column data until `finish`, so this is for the small tables: one row per distinct album
 * or artist.
 */
export class SortedPartEncoder {
  private readonly builder: TableBuilder;
  private readonly maxRowsPerFile: number;

  constructor(columns: readonly ColumnSpec[], maxRowsPerFile: number) {
    this.maxRowsPerFile = checkedMaxRows(maxRowsPerFile);
    this.builder = new TableBuilder(columns);
  }

  get length(): number {
    return this.builder.length;
  }

  push(row: Readonly<Record<string, CellValue>>): void {
    this.builder.push(row);
  }

  /** Every part's bytes; an empty table gets one empty part that carries its schema. */
  finish(): Uint8Array[] {
    const order = this.sortOrder();
    return partRanges(this.builder.length, this.maxRowsPerFile).map(([start, end]) =>
      encodeParquetPart(this.builder, start, end, order),
    );
  }

  private sortOrder(): Uint32Array {
    const order = new Uint32Array(this.builder.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const key = (row: number) => this.builder.cell(0, row) as string;
    return order.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }
}
