package dev.baton.core.internal;

import io.opentelemetry.api.trace.Span;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where Baton's own faults go. Instrumentation must never break the host client, so a fault of
 * Baton's (never an exception of the user's code) is caught, counted, and logged once per site at
 * {@code FINE} through {@code java.util.logging}; the message then goes through untouched.
 *
 * <p>Fatal errors ({@link VirtualMachineError}, {@link LinkageError}) are never swallowed.
 *
 * <p>For Baton's transport modules; not meant for application code. Thread-safe.
 *
 * @since 0.1.0
 */
public final class Faults {

  private static final Logger LOG = Logger.getLogger("dev.baton");
  private static final LongAdder COUNT = new LongAdder();
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private Faults() {}

  /**
   * Records a fault of Baton's own at {@code site}: rethrows it if fatal, else counts it and logs
   * it the first time this site reports one.
   *
   * @param site a short, constant description of where the fault happened
   * @param fault what was thrown
   */
  public static void report(String site, Throwable fault) {
    rethrowIfFatal(fault);
    COUNT.increment();
    if (LOG.isLoggable(Level.FINE) && LOGGED.add(site)) {
      LOG.log(Level.FINE, "Baton fault in " + site + " (logged once; later ones are only counted)",
          fault);
    }
  }

  /**
   * A fault of Baton's own while it prepared a message it had already started {@code span} for:
   * reported as by {@link #report}, and the span ended, so that the message goes on untraced and
   * no span is left open. Every producer path (Kafka's interceptor and wrapper, AMQP's channel,
   * Spring AMQP's template) handles a failed preparation this way.
   *
   * @param site a short, constant description of where the fault happened
   * @param fault what was thrown
   * @param span the span started for the message, or {@code null}
   * @return {@code null}, for the caller's span variable
   */
  public static Span abandon(String site, Throwable fault, Span span) {
    report(site, fault);
    if (span != null) {
      span.end();
    }
    return null;
  }

  /**
   * Rethrows {@code t} when it is an error no library may swallow.
   *
   * @param t any throwable
   */
  public static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError) {
      throw (VirtualMachineError) t;
    }
    if (t instanceof LinkageError) {
      throw (LinkageError) t;
    }
  }

  /**
   * Returns how many faults Baton has caught in this JVM so far.
   *
   * @return the number of reported faults
   */
  public static long count() {
    return COUNT.sum();
  }
}
