package dev.baton.examples;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps the services' log lines that carry a trace id, for the trace's web page. It sits behind
 * the logging configuration's {@code OTEL} appender (OpenTelemetry's {@code OpenTelemetryAppender},
 * which puts {@code trace_id} and {@code span_id} into each event's MDC) next to the console.
 * At most {@value #MAX_LINES} lines. Thread-safe.
 */
final class TraceLogs extends AppenderBase<ILoggingEvent> {

  static final int MAX_LINES = 1000;

  /** One log line. */
  record Line(long epochMillis, String level, String service, String thread, String traceId,
      String spanId, String message) {}

  private final List<Line> lines = new ArrayList<>();

  /**
   * Attaches a new instance to the root logger's {@code OTEL} appender; returns null when the
   * logging configuration has none (then the page shows no log lines).
   */
  @SuppressWarnings("unchecked")
  static TraceLogs attach() {
    if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)) {
      return null;
    }
    Appender<ILoggingEvent> otel = root.getAppender("OTEL");
    if (!(otel instanceof AppenderAttachable<?> attachable)) {
      return null;
    }
    TraceLogs logs = new TraceLogs();
    logs.setContext(root.getLoggerContext());
    logs.setName("TRACE_LOGS");
    logs.start();
    ((AppenderAttachable<ILoggingEvent>) attachable).addAppender(logs);
    return logs;
  }

  /** Takes this appender off the {@code OTEL} appender again. */
  @SuppressWarnings("unchecked")
  void detach() {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root
        && root.getAppender("OTEL") instanceof AppenderAttachable<?> attachable) {
      ((AppenderAttachable<ILoggingEvent>) attachable).detachAppender(this);
    }
    stop();
  }

  @Override
  protected void append(ILoggingEvent event) {
    String traceId = event.getMDCPropertyMap().get("trace_id");
    if (traceId == null) {
      return;
    }
    String logger = event.getLoggerName();
    synchronized (lines) {
      if (lines.size() < MAX_LINES) {
        lines.add(new Line(event.getTimeStamp(), event.getLevel().toString(),
            logger.substring(logger.lastIndexOf('.') + 1), event.getThreadName(), traceId,
            event.getMDCPropertyMap().get("span_id"), event.getFormattedMessage()));
      }
    }
  }

  /** The lines logged in {@code traceId}, in the order they were logged. */
  List<Line> of(String traceId) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.traceId().equals(traceId)).toList();
    }
  }
}
