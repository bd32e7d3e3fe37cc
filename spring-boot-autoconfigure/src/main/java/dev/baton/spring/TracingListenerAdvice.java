package dev.baton.spring;

import dev.baton.core.internal.Faults;
import dev.baton.core.ProcessingScope;
import dev.baton.core.internal.OperationTimer;
import dev.baton.core.internal.ProcessScope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.List;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.amqp.core.Message;

/**
 * The first advice of a Spring AMQP listener container (simple or direct): runs each listener
 * invocation inside a CONSUMER {@code process {queue}} span, child of the message's context (per
 * the inbound policy), current while the listener runs, and records the listener's exception,
 * which it rethrows unchanged. A batch listener gets one span with a link per message.
 *
 * <p>Spring's containers consume with their own consumer and hand the message to the listener on
 * the container's thread (after a queue hop, for the simple container), so wrapping the channel
 * would end the span before the listener ran; the advice chain wraps exactly the listener call.
 */
final class TracingListenerAdvice implements MethodInterceptor {

  private final RabbitSpans spans;

  TracingListenerAdvice(RabbitSpans spans) {
    this.spans = spans;
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Object[] args = invocation.getArguments();
    ProcessingScope scope = start(args.length > 1 ? args[1] : null);
    if (scope == null) {
      return invocation.proceed();
    }
    try {
      return invocation.proceed();
    } catch (Throwable t) {
      scope.recordException(ListenerErrors.unwrap(t));
      throw t;
    } finally {
      scope.close();
    }
  }

  private ProcessingScope start(Object data) {
    try {
      Context context;
      OperationTimer timer = null;
      if (data instanceof Message) {
        context = spans.startProcess((Message) data);
        timer = spans.deliveryTimer((Message) data);
      } else if (data instanceof List && !((List<?>) data).isEmpty()) {
        context = spans.startBatch((List<?>) data); // a batch: no per-message process duration
      } else {
        return null;
      }
      return ProcessScope.open(context, Span.fromContext(context), timer);
    } catch (RuntimeException e) {
      Faults.report("spring rabbit listener", e);
      return null;
    }
  }
}
