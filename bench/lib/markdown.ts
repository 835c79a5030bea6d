// Markdown helpers of the benchmark report.

export const table = (head: string[], rows: (string | number)[][]): string =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

export const n = (value: number) => value.toLocaleString("en-US");
export const mark = (ok: boolean) => (ok ? "✅" : "❌");
