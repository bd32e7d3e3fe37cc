package dev.baton.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What Baton's tracers say about themselves: the build's version, from the resource Maven
 * filters at build time ({@code dev/baton/core/build.properties}), else the jar manifest's
 * {@code Implementation-Version}; and the semantic-conventions schema the spans follow.
 */
final class BuildInfo {

  /** Baton writes attributes of OpenTelemetry semantic conventions v1.44.0. */
  static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.44.0";

  /** The build's version, or {@code null} when neither source has one. */
  static final String VERSION = readVersion();

  private BuildInfo() {}

  private static String readVersion() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/baton/core/build.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        // An unfiltered copy (an IDE that skips filtering) still says ${project.version}.
        if (v != null && !v.isBlank() && !v.startsWith("${")) {
          return v.trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      Faults.report("reading build.properties", e);
    }
    Package p = BuildInfo.class.getPackage();
    return p == null ? null : p.getImplementationVersion();
  }
}
