package dev.baton.spring;

import dev.baton.core.ProcessingScope;
import dev.baton.kafka.KafkaTracing;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Runs a record listener ({@code @KafkaListener} on one record) inside the record's CONSUMER
 * {@code process {topic}} span, through {@link KafkaTracing#startProcessing}: child of the
 * producer's span (per the inbound policy), current while the listener runs, ending with the
 * listener's exception recorded.
 *
 * <p>The container calls {@code intercept} before the listener and {@code success} or
 * {@code failure} after it, on the consumer thread; the open scope is kept in a thread-local in
 * between, and {@code afterRecord} (or the next {@code intercept}) closes one that was left open.
 */
final class TracingRecordInterceptor implements RecordInterceptor<Object, Object> {

  private final KafkaTracing tracing;
  private final ThreadLocal<ProcessingScope> open = new ThreadLocal<>();

  TracingRecordInterceptor(KafkaTracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public ConsumerRecord<Object, Object> intercept(
      ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    close();
    if (record != null) {
      open.set(tracing.startProcessing(record));
    }
    return record;
  }

  @Override
  public void success(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    close();
  }

  @Override
  public void failure(
      ConsumerRecord<Object, Object> record, Exception exception, Consumer<Object, Object> consumer) {
    ProcessingScope scope = open.get();
    if (scope != null) {
      scope.recordException(ListenerErrors.unwrap(exception));
    }
    close();
  }

  @Override
  public void afterRecord(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    close();
  }

  @Override
  public void clearThreadState(Consumer<?, ?> consumer) {
    close();
  }

  private void close() {
    ProcessingScope scope = open.get();
    if (scope != null) {
      open.remove();
      scope.close();
    }
  }
}
