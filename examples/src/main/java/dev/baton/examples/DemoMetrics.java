package dev.baton.examples;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prints the metrics each service's SDK recorded, read from its {@link InMemoryMetricReader} when
 * the demo asks (a pull, like a Prometheus scrape): the demo prints them after the trace, so a
 * newcomer sees which instruments Baton fills in without running a metrics backend.
 */
final class DemoMetrics {

  // left off every line to keep it short: in the demo the destination (orders, notifications) or
  // the rpc.method already tells which system recorded it
  private static final List<String> IMPLIED = List.of("messaging.system", "rpc.system.name");

  private DemoMetrics() {}

  /** One line per point: instrument, service, value, attributes. */
  static List<String> lines(Map<String, InMemoryMetricReader> byService) {
    List<String> out = new ArrayList<>();
    byService.forEach((service, reader) -> {
      List<MetricData> metrics = new ArrayList<>(reader.collectAllMetrics());
      metrics.sort(Comparator.comparing(MetricData::getName));
      for (MetricData metric : metrics) {
        for (PointData point : metric.getData().getPoints()) {
          out.add(String.format(Locale.ROOT, "   %-38s %-18s %-16s %s",
              metric.getName(), service, value(point, metric.getUnit()), attributes(point)));
        }
      }
    });
    return out;
  }

  static void print(Map<String, InMemoryMetricReader> byService, PrintStream out) {
    List<String> lines = lines(byService);
    out.println();
    if (lines.isEmpty()) {
      out.println("== no metrics were recorded");
      return;
    }
    out.println("== metrics the services recorded through Baton (docs/metrics.md): "
        + "instrument, service, count or measurements, attributes");
    lines.forEach(out::println);
  }

  private static String value(PointData point, String unit) {
    if (point instanceof LongPointData) {
      return Long.toString(((LongPointData) point).getValue());
    }
    if (point instanceof HistogramPointData) {
      HistogramPointData h = (HistogramPointData) point;
      double mean = h.getCount() == 0 ? 0 : h.getSum() / h.getCount();
      return "s".equals(unit)
          ? String.format(Locale.ROOT, "%d x %.1f ms", h.getCount(), mean * 1000)
          : String.format(Locale.ROOT, "%d x %.3g %s", h.getCount(), mean, unit);
    }
    return point.toString();
  }

  private static String attributes(PointData point) {
    Attributes attributes = point.getAttributes();
    StringJoiner joined = new StringJoiner(" ");
    attributes.forEach((AttributeKey<?> key, Object value) -> {
      if (!IMPLIED.contains(key.getKey())) {
        joined.add(key.getKey() + "=" + value);
      }
    });
    return joined.toString();
  }
}
