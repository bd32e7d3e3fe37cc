package dev.baton.examples;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a trace as one self-contained web page: the same waterfall as in the terminal, every span
 * a row that opens to show all its attributes, events (exceptions with their stack traces) and
 * links. Styles are inline and there is no script and no external resource, so the file opens
 * from disk, offline, in any browser.
 */
final class TraceHtml {

  private static final int PALETTE = 6;
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS xxx", Locale.ROOT).withZone(ZoneId.systemDefault());

  private static final DateTimeFormatter LOG_TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

  private TraceHtml() {}

  /** Writes {@code trace-<trace id>.html} into {@code dir} (created if missing); returns its path. */
  static Path write(TraceView trace, List<TraceLogs.Line> logs, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("trace-" + trace.traceId + ".html");
    Files.writeString(file, render(trace, logs), StandardCharsets.UTF_8);
    return file;
  }

  /** The page; {@code logs} are the services' log lines with this trace id (may be empty). */
  static String render(TraceView trace, List<TraceLogs.Line> logs) {
    StringBuilder h = new StringBuilder(16 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Trace ").append(trace.traceId).append(" - Baton checkout demo</title>\n")
        .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    h.append("<h1>Trace <code>").append(trace.traceId).append("</code></h1>\n");
    h.append("<p class=\"summary\">").append(trace.rows.size()).append(" spans &middot; ")
        .append(trace.services.size()).append(" services &middot; ")
        .append(esc(TraceView.millis(trace.durationNanos))).append(" &middot; started ")
        .append(WHEN.format(Instant.EPOCH.plusNanos(trace.startEpochNanos))).append("</p>\n");
    h.append("<ul class=\"legend\">");
    for (int i = 0; i < trace.services.size(); i++) {
      h.append("<li><span class=\"swatch s").append(i % PALETTE).append("\"></span>")
          .append(esc(trace.services.get(i))).append("</li>");
    }
    h.append("</ul>\n");
    if (trace.rows.stream().anyMatch(TraceView.Row::error)) {
      h.append("<p class=\"note\">Red rows are errors; the one marked <span class=\"origin-mark\">")
          .append("error starts here</span> has no error below it. Click a row for its attributes.</p>\n");
    } else {
      h.append("<p class=\"note\">Click a row for its attributes and events.</p>\n");
    }

    h.append("<div class=\"waterfall\">\n<div class=\"row head\"><span>service</span><span>kind</span>")
        .append("<span>span</span><span class=\"num\">start</span><span class=\"num\">duration</span>")
        .append("<span class=\"track scale\"><span>0</span><span>")
        .append(esc(TraceView.millis(trace.durationNanos))).append("</span></span><span>status</span></div>\n");
    for (TraceView.Row row : trace.rows) {
      appendRow(h, trace, row);
    }
    h.append("</div>\n");
    if (!logs.isEmpty()) {
      appendLogs(h, trace, logs);
    }
    h.append("<p class=\"foot\">Written by the Baton checkout demo (dev.baton.examples.CheckoutDemo).</p>\n")
        .append("</body>\n</html>\n");
    return h.toString();
  }

  private static void appendRow(StringBuilder h, TraceView trace, TraceView.Row row) {
    SpanData span = row.span();
    int color = trace.services.indexOf(row.service()) % PALETTE;
    double left = 100.0 * row.offsetNanos() / trace.durationNanos;
    double width = Math.max(0.3, 100.0 * row.durationNanos() / trace.durationNanos);
    width = Math.min(width, 100.0 - Math.min(left, 99.7));
    h.append("<details class=\"span").append(row.error() ? " error" : "").append("\" id=\"span-")
        .append(span.getSpanId()).append("\">\n<summary class=\"row\">")
        .append("<span class=\"service\"><span class=\"swatch s").append(color).append("\"></span>")
        .append(esc(row.service())).append("</span>")
        .append("<span class=\"kind\">").append(span.getKind()).append("</span>")
        .append("<span class=\"name\" style=\"padding-left:").append(row.depth() * 1.4).append("em\">")
        .append(esc(span.getName())).append("</span>")
        .append("<span class=\"num\">").append(esc(TraceView.millis(row.offsetNanos()))).append("</span>")
        .append("<span class=\"num\">").append(esc(TraceView.millis(row.durationNanos()))).append("</span>")
        .append("<span class=\"track\"><span class=\"bar s").append(color)
        .append(row.error() ? " bad" : "").append("\" style=\"left:")
        .append(String.format(Locale.ROOT, "%.2f", left)).append("%;width:")
        .append(String.format(Locale.ROOT, "%.2f", width)).append("%\"></span></span>")
        .append("<span class=\"status\">").append(esc(row.outcome()));
    if (row.origin()) {
      h.append(" <span class=\"origin-mark\">error starts here</span>");
    }
    h.append("</span></summary>\n<div class=\"body\">\n<table>\n");
    field(h, "service.name", row.service());
    field(h, "span id", span.getSpanId());
    String parent = span.getParentSpanId();
    field(h, "parent span id", SpanId.isValid(parent) ? parent : "(root)");
    field(h, "kind", span.getKind().toString());
    field(h, "status", span.getStatus().getStatusCode()
        + (span.getStatus().getDescription().isEmpty() ? "" : ": " + span.getStatus().getDescription()));
    field(h, "instrumentation scope", span.getInstrumentationScopeInfo().getName());
    h.append("<tr><th colspan=\"2\" class=\"section\">attributes</th></tr>\n");
    for (Map.Entry<String, String> a : sorted(span.getAttributes()).entrySet()) {
      field(h, a.getKey(), a.getValue());
    }
    h.append("</table>\n");
    for (EventData event : span.getEvents()) {
      h.append("<div class=\"event\"><b>event ").append(esc(event.getName())).append("</b> at ")
          .append(esc(TraceView.millis(event.getEpochNanos() - trace.startEpochNanos))).append("<table>\n");
      for (Map.Entry<String, String> a : sorted(event.getAttributes()).entrySet()) {
        if (a.getKey().equals("exception.stacktrace")) {
          h.append("<tr><th>").append(esc(a.getKey())).append("</th><td><pre>").append(esc(a.getValue()))
              .append("</pre></td></tr>\n");
        } else {
          field(h, a.getKey(), a.getValue());
        }
      }
      h.append("</table></div>\n");
    }
    for (LinkData link : span.getLinks()) {
      h.append("<div class=\"event\"><b>link</b> to trace <code>")
          .append(link.getSpanContext().getTraceId()).append("</code> span <code>")
          .append(link.getSpanContext().getSpanId()).append("</code></div>\n");
    }
    h.append("</div>\n</details>\n");
  }

  private static void appendLogs(StringBuilder h, TraceView trace, List<TraceLogs.Line> logs) {
    h.append("<h2>Log lines with trace_id ").append(trace.traceId).append("</h2>\n")
        .append("<table class=\"logs\">\n<tr><th>time</th><th>level</th><th>service</th>")
        .append("<th>span</th><th>thread</th><th>message</th></tr>\n");
    for (TraceLogs.Line line : logs) {
      String spanId = line.spanId() == null ? "" : line.spanId();
      h.append("<tr class=\"").append(line.level().equals("ERROR") ? "log-error" : "").append("\">")
          .append("<td>").append(LOG_TIME.format(Instant.ofEpochMilli(line.epochMillis()))).append("</td>")
          .append("<td>").append(esc(line.level())).append("</td>")
          .append("<td>").append(esc(line.service())).append("</td>")
          .append("<td><a href=\"#span-").append(esc(spanId)).append("\">").append(esc(spanId))
          .append("</a></td>")
          .append("<td>").append(esc(line.thread())).append("</td>")
          .append("<td>").append(esc(line.message())).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static Map<String, String> sorted(Attributes attributes) {
    Map<String, String> sorted = new TreeMap<>();
    attributes.forEach((key, value) -> sorted.put(key.getKey(), String.valueOf(value)));
    return sorted;
  }

  private static void field(StringBuilder h, String name, String value) {
    h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
  }

  /** HTML-escapes text for element content and double-quoted attribute values. */
  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static final String STYLE = """
      body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em; color: #222; }
      h1 { font-size: 1.3em; margin-bottom: .2em; }
      code, .num, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
      .summary { color: #555; margin-top: 0; }
      .note, .foot { color: #666; font-size: .9em; }
      .legend { list-style: none; padding: 0; display: flex; gap: 1.5em; }
      .swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .4em; }
      .s0 { background: #4e79a7; } .s1 { background: #f28e2b; } .s2 { background: #59a14f; }
      .s3 { background: #b07aa1; } .s4 { background: #76b7b2; } .s5 { background: #edc948; }
      .waterfall { border-top: 1px solid #ccc; }
      .row { display: grid; grid-template-columns: 11em 6.5em minmax(16em, 1.2fr) 6em 6em 2fr minmax(10em, 1fr);
             gap: .8em; align-items: center; padding: .25em .4em; border-bottom: 1px solid #eee; }
      .head { font-weight: 600; color: #555; border-bottom: 1px solid #ccc; }
      summary.row { cursor: pointer; list-style: none; }
      summary.row::-webkit-details-marker { display: none; }
      summary.row:hover { background: #f6f8fa; }
      .num { text-align: right; white-space: nowrap; }
      .name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .kind { color: #666; font-size: .85em; }
      .track { position: relative; height: 1em; background: #f3f3f3; border-radius: 2px; }
      .track.scale { background: none; display: flex; justify-content: space-between; height: auto;
                     font-weight: normal; font-size: .85em; }
      .bar { position: absolute; top: 0; bottom: 0; border-radius: 2px; }
      .bar.bad { background: #d62728; }
      .error > summary { background: #fdecea; }
      .status { color: #b00; font-size: .9em; }
      .origin-mark { background: #d62728; color: #fff; border-radius: 3px; padding: 0 .4em; white-space: nowrap; }
      .body { padding: .5em 1em 1em 2em; background: #fafafa; border-bottom: 1px solid #ddd; }
      table { border-collapse: collapse; }
      th, td { text-align: left; vertical-align: top; padding: .1em .8em .1em 0; font-size: .9em; }
      th { font-weight: normal; color: #555; white-space: nowrap; }
      th.section { padding-top: .6em; font-weight: 600; }
      td { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
      .event { margin-top: .6em; }
      pre { margin: 0; white-space: pre-wrap; font-size: .85em; }
      h2 { font-size: 1.1em; margin-top: 2em; }
      table.logs td { font-size: .85em; padding-right: 1.2em; }
      table.logs td:last-child { word-break: normal; }
      tr.log-error td { color: #b00; }
      """;
}
