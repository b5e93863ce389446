import { describe, expect, it } from "vitest";
import { priorityOption } from "../../src/cli/priority-option.js";

describe("--priority", () => {
  it("takes a whole number from 0 to 9, and nothing when not given", () => {
    expect(["0", "5", "9"].map(priorityOption)).toEqual([0, 5, 9]);
    expect(priorityOption(undefined)).toBeUndefined();
  });

  it.each(["10", "-1", "", "5.0", "1e0", " 5", "high"])("refuses %j with a usage error naming the range", (value) => {
    expect(() => priorityOption(value)).toThrow(expect.objectContaining({ code: "USAGE", message: `--priority must be a whole number from 0 to 9, got "${value}"` }));
  });
});
