package dev.baton.core.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.SplittableRandom;

/**
 * Where the fuzz generators draw their choices from: Jazzer's fuzzed data (coverage-guided, in
 * {@code @FuzzTest}s) or a seeded random source (the sized random runs). The generators are the
 * same either way.
 */
abstract class Entropy {

  /** A value from 0 (inclusive) to {@code bound} (exclusive); 0 when {@code bound <= 1}. */
  abstract int nextInt(int bound);

  abstract byte[] bytes(int maxLength);

  /** Any UTF-16 text, lone surrogates and control characters included. */
  abstract String text(int maxLength);

  boolean nextBoolean() {
    return nextInt(2) == 1;
  }

  /** True about once in {@code n} draws. */
  boolean oneIn(int n) {
    return nextInt(n) == 0;
  }

  /** Printable ASCII. */
  String ascii(int maxLength) {
    int n = nextInt(maxLength + 1);
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = (char) (0x20 + nextInt(0x5f));
    }
    return new String(c);
  }

  <T> T pick(T[] values) {
    return values[nextInt(values.length)];
  }

  static Entropy of(FuzzedDataProvider data) {
    return new Entropy() {
      @Override
      int nextInt(int bound) {
        return bound <= 1 ? 0 : data.consumeInt(0, bound - 1);
      }

      @Override
      byte[] bytes(int maxLength) {
        return data.consumeBytes(maxLength);
      }

      @Override
      String text(int maxLength) {
        return data.consumeString(maxLength);
      }
    };
  }

  static Entropy random(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return new Entropy() {
      @Override
      int nextInt(int bound) {
        return bound <= 1 ? 0 : r.nextInt(bound);
      }

      @Override
      byte[] bytes(int maxLength) {
        byte[] b = new byte[r.nextInt(maxLength + 1)];
        r.nextBytes(b);
        return b;
      }

      @Override
      String text(int maxLength) {
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
