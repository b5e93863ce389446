import { z } from "zod";
import { QUARTER_PATTERN } from "./quarter.js";

export const QuarterSchema = z.string().regex(QUARTER_PATTERN, "expected a quarter like 2024Q3");
