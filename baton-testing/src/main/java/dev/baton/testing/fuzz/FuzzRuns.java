package dev.baton.testing.fuzz;

import java.util.function.Consumer;

/**
 * The sized random runs of the fuzz properties: {@code -Dbaton.fuzz.tries=N} inputs per property
 * (default 1000 in the normal build), from {@code -Dbaton.fuzz.seed} (default: a new seed, printed,
 * so a failure can be replayed).
 */
public final class FuzzRuns {

  /** Inputs per property: {@code -Dbaton.fuzz.tries}, default 1000. */
  public static final int TRIES = Integer.getInteger("baton.fuzz.tries", 1000);

  private FuzzRuns() {}

  /**
   * Runs {@code check} on {@link #TRIES} inputs; a failure names the property and the seed that
   * replays it, and a pass prints the seed and the time taken.
   */
  public static void run(String property, Consumer<Entropy> check) {
    long seed = Long.getLong("baton.fuzz.seed", System.nanoTime());
    long started = System.nanoTime();
    for (int i = 0; i < TRIES; i++) {
      long inputSeed = seed + i;
      try {
        check.accept(Entropy.random(inputSeed));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(property + " failed on input " + i + "; replay with"
            + " -Dbaton.fuzz.seed=" + inputSeed + " -Dbaton.fuzz.tries=1", e);
      }
    }
    System.out.printf("[baton-fuzz] %s: %d inputs, seed %d, %d ms%n", property, TRIES, seed,
        (System.nanoTime() - started) / 1_000_000);
  }
}
