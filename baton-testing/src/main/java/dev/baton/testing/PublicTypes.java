package dev.baton.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Lists the public types of one package as compiled, for a test that makes every addition to a
 * library's public surface a decision: the test names the types it expects, and a new public
 * class, interface or nested type fails it until someone adds it to the list (and to the
 * module's README). Baton's own modules each have such a test.
 *
 * <pre>{@code
 * assertThat(PublicTypes.of(KafkaTracing.class))
 *     .containsExactly("dev.baton.kafka.KafkaTracing", "dev.baton.kafka.KafkaTracing.Builder", ...);
 * }</pre>
 *
 * <p>A type counts when it is public and, for a nested type, so is every type around it.
 * Subpackages are not included. Thread-safe.
 *
 * @since 0.1.0
 */
public final class PublicTypes {

  private PublicTypes() {}

  /**
   * Returns the canonical names of the public types in {@code anchor}'s package, sorted, from the
   * directory or jar {@code anchor} was loaded from.
   *
   * @param anchor any class of the package
   * @return the public types, sorted by name
   * @throws IllegalStateException when the package's classes cannot be listed
   */
  public static List<String> of(Class<?> anchor) {
    String pkg = anchor.getPackageName();
    TreeSet<String> names = new TreeSet<>();
    for (String binaryName : classNames(anchor, pkg)) {
      Class<?> c;
      try {
        c = Class.forName(binaryName, false, anchor.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load " + binaryName, e);
      }
      if (isPublic(c) && c.getCanonicalName() != null) {
        names.add(c.getCanonicalName());
      }
    }
    return new ArrayList<>(names);
  }

  /**
   * Returns the public types of {@code anchor}'s package that a Markdown file's
   * {@code ## Public types} section does not name: each must appear in backticks without its
   * package ({@code `KafkaTracing.Builder`}). Empty when the section lists them all.
   *
   * @param markdown the file, typically the module's {@code README.md}
   * @param anchor any class of the package
   * @return the canonical names of the types not listed
   * @throws IllegalStateException when the file has no such section
   */
  public static List<String> notListedIn(Path markdown, Class<?> anchor) {
    String text;
    try {
      text = Files.readString(markdown);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + markdown, e);
    }
    int start = text.indexOf("## Public types");
    if (start < 0) {
      throw new IllegalStateException(markdown + " has no '## Public types' section");
    }
    int end = text.indexOf("\n## ", start + 1);
    String section = end < 0 ? text.substring(start) : text.substring(start, end);
    List<String> missing = new ArrayList<>();
    for (String type : of(anchor)) {
      String simple = type.substring(anchor.getPackageName().length() + 1);
      if (!section.contains("`" + simple + "`")) {
        missing.add(type);
      }
    }
    return missing;
  }

  /**
   * Returns the names of the public static methods {@code type} declares, sorted (an overloaded
   * name appears once per overload): for a test that makes every static entry point a decision.
   *
   * @param type the class
   * @return the sorted names
   */
  public static List<String> staticMethods(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Method m : type.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())) {
        names.add(m.getName());
      }
    }
    names.sort(null);
    return names;
  }

  private static boolean isPublic(Class<?> c) {
    for (Class<?> t = c; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  /** Binary names of every class file directly in {@code pkg}, from where {@code anchor} lives. */
  private static List<String> classNames(Class<?> anchor, String pkg) {
    URL location = anchor.getProtectionDomain().getCodeSource().getLocation();
    String dir = pkg.replace('.', '/');
    List<String> names = new ArrayList<>();
    try {
      Path root = Paths.get(location.toURI());
      if (Files.isDirectory(root)) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve(dir), "*.class")) {
          for (Path f : files) {
            String file = f.getFileName().toString();
            names.add(pkg + '.' + file.substring(0, file.length() - ".class".length()));
          }
        }
      } else {
        try (JarFile jar = new JarFile(root.toFile())) {
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            String e = entries.nextElement().getName();
            if (e.startsWith(dir + '/') && e.endsWith(".class")
                && e.indexOf('/', dir.length() + 1) < 0) {
              names.add(e.substring(0, e.length() - ".class".length()).replace('/', '.'));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + pkg + " in " + location, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot list " + pkg + " in " + location, e);
    }
    names.remove(pkg + ".package-info");
    return names;
  }
}
