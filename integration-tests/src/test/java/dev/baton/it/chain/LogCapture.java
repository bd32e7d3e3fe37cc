package dev.baton.it.chain;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.instrumentation.logback.mdc.v1_0.OpenTelemetryAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what the checkout app's services log, the way the demo's logging sees it: through
 * OpenTelemetry's {@link OpenTelemetryAppender}, which copies the current trace id and span id
 * into each event's MDC ({@code trace_id}, {@code span_id}) on the logging thread.
 */
final class LogCapture implements AutoCloseable {

  private static final String APP_LOGGERS = "dev.baton.examples";

  private final Logger logger = (Logger) LoggerFactory.getLogger(APP_LOGGERS);
  private final Level previousLevel = logger.getLevel();
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final OpenTelemetryAppender withTraceIds = new OpenTelemetryAppender();

  private LogCapture() {
    captured.setContext(logger.getLoggerContext());
    captured.start();
    withTraceIds.setContext(logger.getLoggerContext());
    withTraceIds.addAppender(captured);
    withTraceIds.start();
    logger.setLevel(Level.DEBUG); // DEBUG: the fulfilment poll thread's one line
    logger.addAppender(withTraceIds);
  }

  static LogCapture start() {
    return new LogCapture();
  }

  /** Everything captured so far. */
  List<ILoggingEvent> events() {
    synchronized (captured) { // AppenderBase appends while holding the appender's lock
      return new ArrayList<>(captured.list);
    }
  }

  /** The events whose message mentions {@code text}. */
  List<ILoggingEvent> mentioning(String text) {
    return events().stream().filter(e -> e.getFormattedMessage().contains(text)).toList();
  }

  /** The last part of the logger's name: the service ({@code dev.baton.examples.checkout}). */
  static String service(ILoggingEvent event) {
    String name = event.getLoggerName();
    return name.substring(name.lastIndexOf('.') + 1);
  }

  @Override
  public void close() {
    logger.detachAppender(withTraceIds);
    logger.setLevel(previousLevel);
    withTraceIds.stop();
    captured.stop();
  }
}
