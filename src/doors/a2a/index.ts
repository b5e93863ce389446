export { a2aDoor, type A2aDoorOptions } from "./door.js";
export { agentCardOf, type CardAgent, type CardTemplate } from "./agent-card.js";
export { rpcErrorOf, problemFrom, type DoorProblem, type RpcError } from "./errors.js";
