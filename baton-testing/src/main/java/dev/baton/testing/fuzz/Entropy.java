package dev.baton.testing.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.SplittableRandom;

/**
 * Where the fuzz generators draw their choices from: Jazzer's fuzzed data (coverage-guided, in
 * {@code @FuzzTest}s) or a seeded random source (the sized random runs). The generators are the
 * same either way.
 */
public abstract class Entropy {

  /** A value from 0 (inclusive) to {@code bound} (exclusive); 0 when {@code bound <= 1}. */
  public abstract int nextInt(int bound);

  /** Up to {@code maxLength} arbitrary bytes. */
  public abstract byte[] bytes(int maxLength);

  /** Any UTF-16 text, lone surrogates and control characters included. */
  public abstract String text(int maxLength);

  /** Either boolean, about evenly. */
  public boolean nextBoolean() {
    return nextInt(2) == 1;
  }

  /** True about once in {@code n} draws. */
  public boolean oneIn(int n) {
    return nextInt(n) == 0;
  }

  /** Printable ASCII. */
  public String ascii(int maxLength) {
    int n = nextInt(maxLength + 1);
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = (char) (0x20 + nextInt(0x5f));
    }
    return new String(c);
  }

  /** One of {@code values}. */
  public <T> T pick(T[] values) {
    return values[nextInt(values.length)];
  }

  /** Choices from Jazzer's fuzzed data, in a {@code @FuzzTest}. */
  public static Entropy of(FuzzedDataProvider data) {
    return new Entropy() {
      @Override
      public int nextInt(int bound) {
        return bound <= 1 ? 0 : data.consumeInt(0, bound - 1);
      }

      @Override
      public byte[] bytes(int maxLength) {
        return data.consumeBytes(maxLength);
      }

      @Override
      public String text(int maxLength) {
        return data.consumeString(maxLength);
      }
    };
  }

  /** Choices from a random source seeded with {@code seed}, for replayable runs. */
  public static Entropy random(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return new Entropy() {
      @Override
      public int nextInt(int bound) {
        return bound <= 1 ? 0 : r.nextInt(bound);
      }

      @Override
      public byte[] bytes(int maxLength) {
        byte[] b = new byte[r.nextInt(maxLength + 1)];
        r.nextBytes(b);
        return b;
      }

      @Override
      public String text(int maxLength) {
        int n = r.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
          int kind = r.nextInt(8);
          sb.append((char) (kind == 0 ? r.nextInt(0x20) // controls
              : kind == 1 ? 0x80 + r.nextInt(0x780) // Latin-1 and beyond
              : kind == 2 ? 0xd800 + r.nextInt(0x800) // surrogates, paired or not
              : 0x20 + r.nextInt(0x5f)));
        }
        return sb.toString();
      }
    };
  }
}
