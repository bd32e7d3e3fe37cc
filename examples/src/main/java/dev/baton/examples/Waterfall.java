package dev.baton.examples;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.sdk.trace.data.EventData;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a trace as a waterfall in the terminal: one row per span, indented under its parent,
 * with its service, kind, name, start offset, duration and a bar on the trace's time line. Error
 * spans are marked {@code x}, with what went wrong; the error span with no error below it is where
 * the error starts. With details, the key attributes of each span follow its row.
 *
 * <p>Plain ASCII, so that it reads the same in every terminal and through Maven.
 */
final class Waterfall {

  static final int BAR_WIDTH = 40;
  static final String ORIGIN = "<-- the error starts here";

  /** What {@code --details} shows of each span, in this order, when the span has it. */
  private static final List<String> KEY_ATTRIBUTES = List.of(
      "rpc.method",
      "rpc.response.status_code",
      "messaging.destination.name",
      "messaging.destination.partition.id",
      "messaging.kafka.offset",
      "messaging.rabbitmq.destination.routing_key",
      "messaging.rabbitmq.message.delivery_tag",
      "messaging.message.id",
      "messaging.consumer.group.name",
      "messaging.client.id",
      "server.address",
      "server.port",
      "error.type");
  private static final int DETAILS_WIDTH = 100;
  static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");

  private Waterfall() {}

  static void print(TraceView trace, boolean details, PrintStream out) {
    int serviceWidth = "service".length();
    int spanWidth = "span".length();
    for (TraceView.Row row : trace.rows) {
      serviceWidth = Math.max(serviceWidth, row.service().length());
      spanWidth = Math.max(spanWidth, row.tree().length() + row.span().getName().length());
    }
    String total = TraceView.millis(trace.durationNanos);
    out.printf("trace %s   %d spans, %d services (%s), %s%n",
        trace.traceId, trace.rows.size(), trace.services.size(),
        String.join(", ", trace.services), total);
    String scale = "0" + " ".repeat(Math.max(1, BAR_WIDTH - 1 - total.length())) + total;
    String format = "%s %-" + serviceWidth + "s  %-8s  %-" + spanWidth + "s  %9s  %9s  |%s|%s%n";
    out.printf(format, " ", "service", "kind", "span", "start", "duration", scale, "");
    String indent = " ".repeat(2 + serviceWidth + 2 + 8 + 2);
    for (TraceView.Row row : trace.rows) {
      String outcome = row.outcome().isEmpty() ? "" : "  " + row.outcome();
      if (row.origin()) {
        outcome += "   " + ORIGIN;
      }
      out.printf(format,
          row.error() ? "x" : " ",
          row.service(),
          row.span().getKind(),
          row.tree() + row.span().getName(),
          TraceView.millis(row.offsetNanos()),
          TraceView.millis(row.durationNanos()),
          bar(row, trace.durationNanos),
          outcome);
      if (details) {
        for (String line : details(row)) {
          out.println(indent + line);
        }
      }
    }
  }

  /** The row's span on a {@value #BAR_WIDTH}-character time line: {@code #}, or {@code X} for errors. */
  static String bar(TraceView.Row row, long traceNanos) {
    int from = (int) Math.min(BAR_WIDTH - 1, row.offsetNanos() * BAR_WIDTH / traceNanos);
    int to = (int) Math.round((double) (row.offsetNanos() + row.durationNanos()) * BAR_WIDTH / traceNanos);
    to = Math.max(from + 1, Math.min(BAR_WIDTH, to));
    return " ".repeat(from) + String.valueOf(row.error() ? 'X' : '#').repeat(to - from)
        + " ".repeat(BAR_WIDTH - to);
  }

  /** Span id, key attributes and exceptions of a row, wrapped into lines. */
  static List<String> details(TraceView.Row row) {
    List<String> items = new ArrayList<>();
    String parent = row.span().getParentSpanId();
    items.add("span_id=" + row.span().getSpanId()
        + (SpanId.isValid(parent) ? " parent=" + parent : ""));
    Map<String, Object> attributes = new HashMap<>();
    row.span().getAttributes().forEach((key, value) -> attributes.put(key.getKey(), value));
    for (String key : KEY_ATTRIBUTES) {
      Object value = attributes.get(key);
      if (value != null) {
        items.add(key + "=" + value);
      }
    }
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String item : items) {
      if (line.length() > 0 && line.length() + 2 + item.length() > DETAILS_WIDTH) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() == 0 ? "" : "  ").append(item);
    }
    lines.add(line.toString());
    for (EventData event : row.span().getEvents()) {
      if (event.getName().equals("exception")) {
        lines.add("exception: " + event.getAttributes().get(EXCEPTION_TYPE) + ": "
            + event.getAttributes().get(EXCEPTION_MESSAGE));
      }
    }
    return lines;
  }
}
