export { definePlanTemplate, type PlanTemplate, type PlanTemplateSpec, type TemplateMatch } from "./define-plan-template.js";
export { detectLanguage, TaskPlanner, type Planner, type TaskPlannerOptions } from "./task-planner.js";
