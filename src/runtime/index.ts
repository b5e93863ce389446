export { builtinAgents, builtinTemplates, builtinTools } from "./builtins.js";
export { createRuntime, type Runtime, type RuntimeOptions } from "./create-runtime.js";
export { loadPlugins, PluginError, type Plugin } from "./load-plugins.js";
export { openToolCache, type ToolCacheSettings } from "./tool-cache.js";
