package dev.baton.examples;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One trace laid out for display: its spans as rows in tree order (children after their parent,
 * by start time), each with its depth, its service, its start offset from the trace's first span
 * and its duration, and where the errors are. Shared by the terminal waterfall and the web page.
 * Immutable.
 */
final class TraceView {

  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> RPC_STATUS_CODE =
      AttributeKey.stringKey("rpc.response.status_code");

  /** One span of the trace. */
  record Row(
      SpanData span,
      int depth,
      String tree,
      String service,
      long offsetNanos,
      long durationNanos,
      boolean error,
      boolean origin,
      String outcome) {}

  final String traceId;
  final long startEpochNanos;
  final long durationNanos;
  final List<Row> rows;
  /** The services of the trace, in the order their first span starts. */
  final List<String> services;

  private TraceView(
      String traceId, long startEpochNanos, long durationNanos, List<Row> rows, List<String> services) {
    this.traceId = traceId;
    this.startEpochNanos = startEpochNanos;
    this.durationNanos = durationNanos;
    this.rows = rows;
    this.services = services;
  }

  /** The traces among {@code spans}, in the order they started. */
  static List<TraceView> of(Collection<SpanData> spans) {
    Map<String, List<SpanData>> byTrace = new LinkedHashMap<>();
    spans.stream()
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .forEach(s -> byTrace.computeIfAbsent(s.getTraceId(), id -> new ArrayList<>()).add(s));
    List<TraceView> traces = new ArrayList<>();
    byTrace.forEach((id, trace) -> traces.add(layOut(id, trace)));
    return traces;
  }

  /** The service a span belongs to: its resource's {@code service.name}. */
  static String service(SpanData span) {
    String name = span.getResource().getAttribute(SERVICE_NAME);
    return name == null ? "?" : name;
  }

  private static TraceView layOut(String traceId, List<SpanData> trace) {
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    Set<String> ids = new HashSet<>();
    for (SpanData s : trace) {
      start = Math.min(start, s.getStartEpochNanos());
      end = Math.max(end, s.getEndEpochNanos());
      ids.add(s.getSpanId());
    }
    // children by parent, each list in start order (trace is sorted by start)
    Map<String, List<SpanData>> children = new HashMap<>();
    List<SpanData> roots = new ArrayList<>();
    for (SpanData s : trace) {
      String parent = s.getParentSpanId();
      if (SpanId.isValid(parent) && ids.contains(parent)) {
        children.computeIfAbsent(parent, p -> new ArrayList<>()).add(s);
      } else {
        roots.add(s); // a root, or a span whose parent is in another process's spans
      }
    }
    Set<String> errorBelow = new HashSet<>();
    for (SpanData root : roots) {
      markErrorsBelow(root, children, errorBelow);
    }
    List<Row> rows = new ArrayList<>();
    for (SpanData root : roots) {
      addRows(root, 0, "", "", children, errorBelow, start, rows);
    }
    Set<String> services = new LinkedHashSet<>();
    for (SpanData s : trace) {
      services.add(service(s));
    }
    return new TraceView(traceId, start, Math.max(end - start, 1), List.copyOf(rows),
        List.copyOf(services));
  }

  /** Whether {@code span} or a span below it is an error; notes the spans with an error below. */
  private static boolean markErrorsBelow(
      SpanData span, Map<String, List<SpanData>> children, Set<String> errorBelow) {
    boolean below = false;
    for (SpanData child : children.getOrDefault(span.getSpanId(), List.of())) {
      below |= markErrorsBelow(child, children, errorBelow);
    }
    if (below) {
      errorBelow.add(span.getSpanId());
    }
    return below || isError(span);
  }

  private static void addRows(
      SpanData span,
      int depth,
      String tree,
      String childIndent,
      Map<String, List<SpanData>> children,
      Set<String> errorBelow,
      long traceStart,
      List<Row> rows) {
    boolean error = isError(span);
    rows.add(new Row(
        span,
        depth,
        tree,
        service(span),
        span.getStartEpochNanos() - traceStart,
        Math.max(span.getEndEpochNanos() - span.getStartEpochNanos(), 0),
        error,
        error && !errorBelow.contains(span.getSpanId()),
        outcome(span)));
    List<SpanData> kids = children.getOrDefault(span.getSpanId(), List.of());
    for (int i = 0; i < kids.size(); i++) {
      boolean last = i == kids.size() - 1;
      addRows(kids.get(i), depth + 1,
          childIndent + (last ? "`- " : "|- "),
          childIndent + (last ? "   " : "|  "),
          children, errorBelow, traceStart, rows);
    }
  }

  static boolean isError(SpanData span) {
    return span.getStatus().getStatusCode() == StatusCode.ERROR;
  }

  /**
   * What went wrong, in a few words: {@code ERROR INTERNAL: stock ledger unavailable} for an
   * error, the RPC status code of a call that did not end {@code OK} without being an error
   * ({@code FAILED_PRECONDITION} on a server span), else nothing.
   */
  static String outcome(SpanData span) {
    if (isError(span)) {
      String type = span.getAttributes().get(ERROR_TYPE);
      String description = span.getStatus().getDescription();
      StringBuilder sb = new StringBuilder("ERROR");
      if (type != null) {
        sb.append(' ').append(type);
      }
      if (description != null && !description.isEmpty()) {
        sb.append(type != null ? ": " : " ").append(description);
      }
      return sb.toString();
    }
    String rpcStatus = span.getAttributes().get(RPC_STATUS_CODE);
    return rpcStatus != null && !rpcStatus.equals("OK") ? rpcStatus : "";
  }

  /** {@code 0.42 ms}, {@code 12.3 ms}, {@code 1.24 s}. */
  static String millis(long nanos) {
    double ms = nanos / 1e6;
    if (ms >= 1000) {
      return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }
    return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.1f ms", ms);
  }
}
