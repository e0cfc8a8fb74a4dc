// The configuration for a command-line script: as the server reads it, or, when it is
// invalid, null after printing what to fix (a ConfigError names every bad variable).
import { type Config, ConfigError, loadConfig } from "../src/config.ts";

export function loadScriptConfig(): Config | null {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return null;
    }
    throw e;
  }
}
