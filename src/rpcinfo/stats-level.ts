/**
 * How much a call records, as in Kitex: at `Disabled` nothing is recorded (tracers are still
 * called), at `Base` only RPCStart/RPCFinish, at `Detailed` every phase.
 */
export const StatsLevel = {
  Disabled: 0,
  Base: 1,
  Detailed: 2,
} as const;

/** One of {@link StatsLevel}'s values. */
export type StatsLevel = (typeof StatsLevel)[keyof typeof StatsLevel];

/** Kitex's default: Detailed when at least one tracer is configured, Disabled when none. */
export function defaultStatsLevel(tracerCount: number): StatsLevel {
  return tracerCount > 0 ? StatsLevel.Detailed : StatsLevel.Disabled;
}

/** Throws a `TypeError` naming the bad value when `level` is not a {@link StatsLevel}. */
export function assertStatsLevel(level: unknown): asserts level is StatsLevel {
  if (level !== StatsLevel.Disabled && level !== StatsLevel.Base && level !== StatsLevel.Detailed) {
    throw new TypeError(`isotrace: statsLevel must be StatsLevel.Disabled, Base or Detailed (0, 1, 2), got ${String(level)}`);
  }
}
