package dev.baton.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one load or fault run, printed and written to
 * {@code target/reliability/<name>.txt}, where docs/reliability.md takes them from.
 */
public final class SoakReport {

  private final String name;
  private final Map<String, Object> figures = new LinkedHashMap<>();

  public SoakReport(String name) {
    this.name = name;
  }

  public SoakReport put(String key, Object value) {
    figures.put(key, value);
    return this;
  }

  public void write() {
    StringBuilder sb = new StringBuilder("# " + name + " " + Instant.now() + "\n");
    for (Map.Entry<String, Object> f : figures.entrySet()) {
      sb.append(f.getKey()).append(": ").append(f.getValue()).append('\n');
    }
    System.out.print("[baton-reliability] " + sb.toString().replace("\n", "\n[baton-reliability] "));
    System.out.println();
    try {
      Path dir = Path.of(System.getProperty("baton.reliability.dir", "target/reliability"));
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name + ".txt"), sb.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
