/**
 * What went wrong parsing a file, without its text: the parsers' own messages quote the offending
 * line (yaml prints a code frame, JSON.parse the start of the input), and the file may be a
 * credentials file or a stack file holding a secret. A leaf: it imports nothing of ours.
 */

interface YamlLikeError {
  name?: string;
  message: string;
  code?: string;
  linePos?: { line: number; col: number }[];
}

/** Line and column (1-based) of character `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/**
 * `invalid YAML at line 3, column 5: <the kind of problem>` for an error of the `yaml` package or of
 * JSON.parse (given the text, to turn JSON's character position into a line), never quoting the input.
 */
export function parseErrorSummary(e: unknown, format: "YAML" | "JSON", text?: string): string {
  const err = (e ?? {}) as YamlLikeError;
  const message = typeof err.message === "string" ? err.message : "";
  let where: { line: number; col: number } | undefined = err.linePos?.[0];
  let kind: string;
  if (format === "YAML") {
    // The description comes before " at line …:" and the code frame; cut at any ":" (an alias name).
    kind = message.split(/ at line \d+|:/)[0].trim() || (err.code ?? "").toLowerCase().replace(/_/g, " ");
  } else {
    const position = /at position (\d+)/.exec(message);
    if (!where && position && text !== undefined) where = lineColumn(text, Number(position[1]));
    kind = /^Unexpected token/.test(message)
      ? "unexpected character"
      : /^Unexpected end/.test(message)
        ? "the input ends too early"
        : message
            .replace(/ in JSON at position \d+.*$/, "")
            .replace(/"[^"]*"/g, "…")
            .trim();
  }
  const at = where ? ` at line ${where.line}, column ${where.col}` : "";
  return `invalid ${format}${at}${kind ? `: ${kind}` : ""}`;
}
