import type { ServiceStore as Store } from "../store/index.js";
import { openStoreWithArtifacts } from "../artifacts/index.js";
import type { CommandContext } from "./main.js";

/** Opens the configured store for the length of `use`, and always closes it. */
export async function withStore<T>(context: CommandContext, use: (store: Store) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const { store } = await openStoreWithArtifacts(context.config, { migrate: options.migrate ?? context.config.CS_AGENTS_MIGRATE });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
