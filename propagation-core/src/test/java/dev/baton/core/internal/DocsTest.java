package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The documents that describe core cannot drift from it. */
class DocsTest {

  static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  static final Path REPO = MODULE.getParent();
  static final List<String> DOCS =
      List.of("docs/configuration.md", "docs/propagation.md", "propagation-core/README.md");

  /** key -> default, from every table row of docs/configuration.md starting with a baton key. */
  private static Map<String, String> documentedSettings(String section) throws IOException {
    Map<String, String> rows = new LinkedHashMap<>();
    String current = "";
    for (String line : Files.readAllLines(REPO.resolve("docs/configuration.md"))) {
      if (line.startsWith("## ")) {
        current = line.substring(3).trim();
      }
      if (current.equals(section) && line.startsWith("| `baton.")) {
        String[] cells = line.split("\\|");
        String key = cells[1].trim().replace("`", "");
        String dflt = cells[2].trim().replace("`", "");
        assertThat(rows.put(key, dflt)).as("listed twice: " + key).isNull();
      }
    }
    return rows;
  }

  @Test
  void configurationTablesListExactlyTheRegistrysKeysWithTheirDefaults() throws IOException {
    Map<String, String> core = new LinkedHashMap<>();
    Map<String, String> transports = new LinkedHashMap<>();
    for (Settings.Setting s : Settings.all()) {
      (s.module() == Settings.Module.CORE ? core : transports).put(s.key(), s.documentedDefault());
    }
    assertThat(documentedSettings("Core settings (every transport)"))
        .containsExactlyEntriesOf(core);
    assertThat(documentedSettings("Transport settings")).containsExactlyEntriesOf(transports);
  }

  /**
   * The settings are tabled once: the transports' documents and READMEs link to
   * docs/configuration.md instead of repeating a row of it (and drifting from it).
   */
  @Test
  void noOtherDocumentRepeatsASettingsTable() throws IOException {
    List<String> repeated = new ArrayList<>();
    try (Stream<Path> files = Files.walk(REPO)) {
      for (Path md : (Iterable<Path>) files::iterator) {
        String rel = REPO.relativize(md).toString().replace(java.io.File.separatorChar, '/');
        if (!rel.endsWith(".md") || rel.equals("docs/configuration.md")
            || rel.contains("/target/") || rel.startsWith(".")) {
          continue;
        }
        for (String line : Files.readAllLines(md, StandardCharsets.UTF_8)) {
          // a row that starts with a setting's key (not with a baton.* metric name)
          for (String key : Settings.propertyKeys()) {
            if (line.startsWith("| `" + key + "`")) {
              repeated.add(rel + ": " + line.substring(0, Math.min(60, line.length())));
            }
          }
        }
      }
    }
    assertThat(repeated).isEmpty();
  }

  @Test
  void everyTestTheseDocumentsCiteExists() throws IOException {
    Pattern cited = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))(?:[#.]([A-Za-z0-9_]+))?`");
    List<String> missing = new ArrayList<>();
    int found = 0;
    for (String doc : DOCS) {
      Matcher m = cited.matcher(Files.readString(REPO.resolve(doc), StandardCharsets.UTF_8));
      while (m.find()) {
        found++;
        Path source = findSource(m.group(1) + ".java");
        if (source == null) {
          missing.add(doc + ": " + m.group());
        } else if (m.group(2) != null
            && !Files.readString(source).contains(" " + m.group(2) + "(")) {
          missing.add(doc + ": " + m.group() + " (no such method)");
        }
      }
    }
    assertThat(found).as("tests cited").isPositive();
    assertThat(missing).isEmpty();
  }

  private static Path findSource(String fileName) throws IOException {
    try (Stream<Path> files = Files.walk(REPO)) {
      return files
          .filter(p -> p.getFileName().toString().equals(fileName))
          .filter(p -> p.toString().contains("src" + java.io.File.separator + "test"))
          .findFirst()
          .orElse(null);
    }
  }
}
