package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation's code true: a fenced block right after
 * {@code <!-- snippet: path/to/File.java#tag -->} must equal the lines between
 * {@code // tag::tag[]} and {@code // end::tag[]} in that file (indentation removed), and every
 * Java block in the README and the getting-started guide must be such a snippet. The files the
 * snippets come from compile in the build, and {@code examples/quickstart} runs them against
 * real brokers.
 */
class DocSnippetsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern MARKER =
      Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->\\s*\\n```\\w*\\n(.*?)\\n```", Pattern.DOTALL);
  /** Documents where every Java block must be a checked snippet. */
  private static final List<String> STRICT = List.of("README.md", "docs/getting-started.md");

  @Test
  void everyMarkedBlockShowsExactlyTheTaggedCode() throws IOException {
    int checked = 0;
    List<String> mismatches = new ArrayList<>();
    for (Path doc : markdownFiles()) {
      String text = Files.readString(doc, StandardCharsets.UTF_8);
      Matcher m = MARKER.matcher(text);
      while (m.find()) {
        checked++;
        String expected = region(ROOT.resolve(m.group(1)), m.group(2));
        if (!m.group(3).equals(expected)) {
          mismatches.add(ROOT.relativize(doc) + " shows " + m.group(1) + "#" + m.group(2)
              + " as:\n" + m.group(3) + "\nbut the code is:\n" + expected);
        }
      }
    }
    assertThat(mismatches).isEmpty();
    assertThat(checked).as("snippets checked").isGreaterThanOrEqualTo(5);
  }

  @Test
  void theReadmeAndTheGuideShowNoUncheckedJava() throws IOException {
    for (String name : STRICT) {
      String text = Files.readString(ROOT.resolve(name), StandardCharsets.UTF_8);
      Matcher block = Pattern.compile("(?m)^```java$").matcher(text);
      while (block.find()) {
        String before = text.substring(0, block.start());
        String lastLine = before.strip();
        lastLine = lastLine.substring(lastLine.lastIndexOf('\n') + 1);
        if (!lastLine.startsWith("<!-- snippet: ")) {
          int line = before.split("\n", -1).length;
          fail(name + ":" + line + " has a Java block that is not a checked snippet");
        }
      }
    }
  }

  /** The lines between the tag's markers, with their common indentation removed. */
  static String region(Path file, String tag) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int start = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).trim();
      if (t.equals("// tag::" + tag + "[]")) {
        start = i + 1;
      } else if (t.equals("// end::" + tag + "[]") && start >= 0) {
        end = i;
        break;
      }
    }
    if (start < 0 || end < 0) {
      throw new AssertionError("no region '" + tag + "' in " + file);
    }
    List<String> region = lines.subList(start, end);
    int indent = Integer.MAX_VALUE;
    for (String l : region) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String l : region) {
      out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return out.toString().stripTrailing();
  }

  private static List<Path> markdownFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    try (var paths = Files.walk(ROOT, 3)) {
      paths.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/node_modules/"))
          .forEach(out::add);
    }
    return out;
  }
}
