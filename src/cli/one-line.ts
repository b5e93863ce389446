/**
 * Errors are one line (the README promises it, and scripts grep them): a message that spans
 * lines (a plugin's or a model's) is joined with "; " at its line breaks.
 */
export function oneLine(message: string): string {
  return message
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("; ");
}
