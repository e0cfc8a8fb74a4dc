// Turbo must not try to reach the network: no telemetry, no update check.
export function turboEnv() {
  return { TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1", DO_NOT_TRACK: "1" };
}
