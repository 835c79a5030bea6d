// Encodes a table's accumulated rows as SNAPPY Parquet parts. Everything that could vary
// between two runs over the same rows is fixed here (writer name, row group size, no
// key-value metadata), so reruns produce byte-identical files.

import { parquetWriteBuffer, type SchemaElement } from "hyparquet-writer";
import { schemaElements, type ColumnSpec, type TableBuilder } from "./columns";

/** `created_by` of every file: fixed, so it never makes two runs' bytes differ. */
export const PARQUET_CREATED_BY = "spotify-lake transform (hyparquet-writer 0.17.0)";

/** Rows per file before a table is split into several parts. */
export const DEFAULT_MAX_ROWS_PER_FILE = 250_000;

// Large enough that Athena reads few row groups per file, small enough that the writer's
// per-group buffers stay well inside a Lambda's memory.
const ROW_GROUP_ROWS = 100_000;

export function tableSchema(columns: readonly ColumnSpec[]): SchemaElement[] {
  return [{ name: "root", num_children: columns.length }, ...columns.flatMap(schemaElements)];
}

/** Row ranges of each part; an empty table still gets one (empty) part that carries its schema. */
export function partRanges(rows: number, maxRowsPerFile: number): [number, number][] {
  if (!Number.isInteger(maxRowsPerFile) || maxRowsPerFile < 1) {
    throw new Error(`maxRowsPerFile must be a positive integer, got ${maxRowsPerFile}`);
  }
  const ranges: [number, number][] = [];
  for (let start = 0; start < rows || ranges.length === 0; start += maxRowsPerFile) {
    ranges.push([start, Math.min(rows, start + maxRowsPerFile)]);
  }
  return ranges;
}

/** Encodes rows `order[start..end)` of a table (insertion order without `order`) as one file. */
export function encodeParquetPart(
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
